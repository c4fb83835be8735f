#!/usr/bin/env bash
# The benchmark of task-service, in one run:
#   1. records the machine (cores, memory, Java, PostgreSQL and its key settings);
#   2. starts the jar on a fresh database (BENCH_DB), which applies the migrations;
#   3. seeds finished tasks and measures the ceilings with pgbench, prepared, as many clients as
#      wrk has connections: PostgreSQL's own for one row (PK SELECT, INSERT ... RETURNING * into a
#      bare table of the same columns and indexes, no trigger, history or foreign key), the
#      service's list statements, and the old INSERT ceiling on a copy of the real schema;
#   4. measures the service with wrk: GET by id, GET list, POST create, and the WAL and commits
#      per task of the POST run;
#   5. measures a drain: BENCH_DRAIN_TASKS creates at once, seconds until all are final;
#   6. prints one table and writes it to bench/results/<timestamp>.md (the key figures also as
#      one line to <timestamp>-summary.txt, which bench/pair.sh reads);
#   7. stops the jar and drops the databases (also on failure or Ctrl-C).
# BENCH_SMOKE=1 makes every measure 2 s and the drain 200 tasks: a quick check of the scripts.
# See bench/README.md for the variables and how to read the table.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_DB:-tasks_bench}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_DURATION=${BENCH_DURATION:-30}
# Seconds of each read measure's load before it is measured. GET by id is the first load after
# start: on a fresh node it ran at 6,100 req/s in its first 5 s, 18,500 over the next 10 s,
# 27,000 after 25 s and 30,700 after 45 s (2 cores, 32 connections): a short warm-up measures the
# JIT compiler.
BENCH_WARMUP=${BENCH_WARMUP:-30}
# The POST path (create, claim, completion, the change feed) is code the GET and list runs before
# it never ran: on 2 cores its JIT compilation takes the C2 compiler thread about as much CPU as
# the event loops for the first 30-45 s of load (bench/costs.sh prints the compiler's share).
BENCH_POST_WARMUP=${BENCH_POST_WARMUP:-30}
BENCH_SEED_ROWS=${BENCH_SEED_ROWS:-10000}
BENCH_LIST_STATUS=${BENCH_LIST_STATUS:-done}
BENCH_PAGE_SIZE=${BENCH_PAGE_SIZE:-20}
BENCH_DRAIN_TASKS=${BENCH_DRAIN_TASKS:-5000}
BENCH_DRAIN_CONCURRENCY=${BENCH_DRAIN_CONCURRENCY:-64}
BENCH_DELAY_MS=${BENCH_DELAY_MS:-3000}
BENCH_DB_POOL_SIZE=${BENCH_DB_POOL_SIZE:-}
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  BENCH_DURATION=2
  BENCH_WARMUP=1
  BENCH_POST_WARMUP=1
  BENCH_DRAIN_TASKS=200
fi
C=$BENCH_CONNECTIONS
CEILING_DB=${BENCH_DB}_ceiling

require_tools psql pg_dump pgbench wrk java python3 curl
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP.md"
# raw outputs, for when a figure looks odd
WRK_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-wrk.log"
PGBENCH_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-pgbench.log"
: >"$WRK_LOG"
: >"$PGBENCH_LOG"
trap bench_cleanup EXIT

# ---------------------------------------------------------------------------------------------
# 1. The machine
# ---------------------------------------------------------------------------------------------
machine_info() {
  local settings jar_commit=""
  settings=$(q postgres -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
    FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'full_page_writes',
      'max_connections', 'wal_level', 'wal_buffers', 'wal_sync_method', 'wal_compression',
      'max_wal_size', 'checkpoint_timeout', 'commit_delay', 'effective_cache_size', 'work_mem', 'jit')")
  # the commit the jar was presumably built from (read-only git query)
  if git -C "$(dirname "$BENCH_JAR")/.." rev-parse --git-dir >/dev/null 2>&1; then
    jar_commit=" (tree at $(git -C "$(dirname "$BENCH_JAR")/.." log -1 --format='%h %s'))"
  fi
  echo "- date: $(date -Is), host $(hostname), kernel $(uname -r)"
  echo "- CPU: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "- memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- java: $(java -version 2>&1 | sed -n 2p)"
  echo "- PostgreSQL: $(q postgres -c 'SELECT version()' | cut -d, -f1) at ${PG_BASE#*@}"
  echo "- PostgreSQL settings: $settings"
  echo "- jar: $BENCH_JAR$jar_commit"
  echo "- tools: $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), $("$PGBENCH" --version)"
  echo "- parameters: connections=$C (wrk -t2, pgbench -j2), duration=${BENCH_DURATION}s" \
    "(+${BENCH_WARMUP}s warm-up per wrk measure, ${BENCH_POST_WARMUP}s before POST), seed=$BENCH_SEED_ROWS finished tasks," \
    "list=status=$BENCH_LIST_STATUS&page_size=$BENCH_PAGE_SIZE, drain=$BENCH_DRAIN_TASKS tasks over" \
    "$BENCH_DRAIN_CONCURRENCY connections, TASKS_PROCESSING_DELAY_MS=$BENCH_DELAY_MS" \
    "${BENCH_DB_POOL_SIZE:+TASKS_DB_POOL_SIZE=$BENCH_DB_POOL_SIZE}${BENCH_JAVA_OPTS:+, java options: $BENCH_JAVA_OPTS}"
}
log "recording the machine"
warn_if_busy
LOAD_START=$(loadavg)
MACHINE=$(machine_info)

# ---------------------------------------------------------------------------------------------
# 2. A fresh database and the service on it
# ---------------------------------------------------------------------------------------------
fresh_db "$BENCH_DB"
start_service "$BENCH_DB" TASKS_PROCESSING_DELAY_MS="$BENCH_DELAY_MS" \
  ${BENCH_DB_POOL_SIZE:+TASKS_DB_POOL_SIZE=$BENCH_DB_POOL_SIZE}

# ---------------------------------------------------------------------------------------------
# 3. Seed, then the ceiling with pgbench
# ---------------------------------------------------------------------------------------------
# pgbench works on a copy of the schema the service just migrated, not on the service's own
# table: its transition leaves rows 'processing' with a 30 s lease, which the service's sweeper
# would take over (and process) in the middle of later measurements. The copy has the same
# table, indexes and seed; the service is idle meanwhile.
# The ceilings of POST and GET by id are PostgreSQL's own: bare.tasks in the same database, the
# columns, primary key and indexes of tasks and nothing else (lib.sh bare_table), seeded the same
# way. The single-row INSERT into the copy of tasks (count triggers and all) was the POST ceiling
# before; it stays as a second line so that older figures still compare.
fresh_db "$CEILING_DB"
copy_schema "$BENCH_DB" "$CEILING_DB"
bare_table "$CEILING_DB"
log "seeding $BENCH_SEED_ROWS finished tasks"
seed_finished "$BENCH_DB" "$BENCH_SEED_ROWS"
seed_finished "$CEILING_DB" "$BENCH_SEED_ROWS"
seed_finished "$CEILING_DB" "$BENCH_SEED_ROWS" bare.tasks
read -r MINID MAXID < <(q "$BENCH_DB" -F ' ' -c "SELECT min(id), max(id) FROM tasks")
read -r BARE_MINID BARE_MAXID < <(q "$CEILING_DB" -F ' ' -c "SELECT min(id), max(id) FROM bare.tasks")

# In the order the service is measured, so that both see the same table: reads on the seed,
# then inserts, then (on the seeded rows only) the transition.
log "pgbench: PK SELECT on the bare table (${BENCH_DURATION}s, $C clients)"
PG_SELECT=$(run_pgbench "$CEILING_DB" select-bare.sql "$BENCH_DURATION" "$C" \
  -D minid="$BARE_MINID" -D maxid="$BARE_MAXID")
log "pgbench: count + page (${BENCH_DURATION}s, $C clients)"
PG_LIST=$(run_pgbench "$CEILING_DB" list.sql "$BENCH_DURATION" "$C" \
  -D status="$BENCH_LIST_STATUS" -D limit="$BENCH_PAGE_SIZE" -D offset=0)
log "pgbench: single-row INSERT … RETURNING * into the bare table (${BENCH_DURATION}s, $C clients)"
PG_INSERT_BARE=$(run_pgbench "$CEILING_DB" insert-bare.sql "$BENCH_DURATION" "$C")
log "pgbench: single-row INSERT into the copy of tasks, the old ceiling (${BENCH_DURATION}s, $C clients)"
PG_INSERT_SCHEMA=$(run_pgbench "$CEILING_DB" insert-schema.sql "$BENCH_DURATION" "$C")
q "$CEILING_DB" -c "VACUUM (ANALYZE) tasks"
log "pgbench: locked transition (${BENCH_DURATION}s, $C clients)"
PG_TRANSITION=$(run_pgbench "$CEILING_DB" transition.sql "$BENCH_DURATION" "$C" -D minid="$MINID" -D maxid="$MAXID")
drop_db "$CEILING_DB"

# ---------------------------------------------------------------------------------------------
# 4. The service with wrk (each measure after a warm-up of the same load, for the JIT)
# ---------------------------------------------------------------------------------------------
measure() { # SCRIPT [args…]: warm-up, then the measured run
  run_wrk "$1" "$BENCH_WARMUP" "$C" "${@:2}" >/dev/null
  run_wrk "$1" "$BENCH_DURATION" "$C" "${@:2}"
}
LIST_QUERY="status=$BENCH_LIST_STATUS&page_size=$BENCH_PAGE_SIZE"
log "wrk: GET /api/v1/tasks/{id}/ (ids $MINID..$MAXID)"
SVC_GET=$(measure get.lua "$MINID" "$MAXID")
log "wrk: GET /api/v1/tasks/?$LIST_QUERY"
SVC_LIST=$(measure list.lua "$LIST_QUERY")

# What the measured POST run writes: WAL bytes (pg_current_wal_lsn(), cluster-wide, exact), the
# bench database's commits (pg_stat_database.xact_commit) and full-page images
# (pg_stat_wal.wal_fpi, cluster-wide), from just after the warm-up until every task the run
# created is final, per task it created. Any figure PostgreSQL cannot give (an older server, a
# view missing, no permission) is left empty and printed as "—".
pg_figure() { q "$BENCH_DB" -c "$1" 2>/dev/null || true; }
checkpoints() { # begun so far: pg_stat_bgwriter up to PostgreSQL 16, pg_stat_checkpointer after
  local n
  n=$(pg_figure "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")
  [[ -n $n ]] || n=$(pg_figure "SELECT num_timed + num_requested FROM pg_stat_checkpointer")
  echo "$n"
}
wal_figures() { # prints "commits fpi checkpoints", each possibly "-" (read can't take empty fields)
  local commits fpi
  commits=$(pg_figure "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  fpi=$(pg_figure "SELECT wal_fpi FROM pg_stat_wal")
  echo "${commits:--} ${fpi:--} $(checkpoints | sed 's/^$/-/')"
}
diff_or_empty() { # BEFORE AFTER: AFTER - BEFORE, or nothing when either is missing
  if [[ $1 != - && $2 != - && -n $1 && -n $2 ]]; then echo $(($2 - $1)); fi
}

log "wrk: POST /api/v1/tasks/ (warm-up ${BENCH_POST_WARMUP}s)"
run_wrk post.lua "$BENCH_POST_WARMUP" "$C" >/dev/null
# The warm-up's tasks are claimed and finished before the measured run starts: their claims and
# completions would otherwise be counted in the WAL and commits per task of the measured run (a
# 30 s warm-up at full rate leaves a backlog of minutes on 2 cores).
log "waiting for the workers to finish the warm-up's tasks"
wait_all_final "$BENCH_DB" 900 >/dev/null
POST_MAXID0=$(q "$BENCH_DB" -c "SELECT coalesce(max(id), 0) FROM tasks")
POST_INFLIGHT0=$(unfinished_count "$BENCH_DB")
read -r COMMITS0 FPI0 CKPT0 < <(wal_figures)
LSN0=$(pg_figure "SELECT pg_current_wal_lsn()")
log "wrk: POST /api/v1/tasks/ (${BENCH_DURATION}s)"
SVC_POST=$(run_wrk post.lua "$BENCH_DURATION" "$C")
# The workers process what the POST run created (3 s each, in parallel); the next measure must
# not compete with them. How long they need after the load stops is itself worth knowing: it is
# read from the rows (database clock), last created_at to last updated_at.
log "waiting for the workers to finish the tasks created by the POST runs"
wait_all_final "$BENCH_DB" 900 >/dev/null
WAL_BYTES=""
if [[ -n $LSN0 ]]; then
  WAL_BYTES=$(pg_figure "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$LSN0')::bigint")
fi
# A backend flushes its statistics at most once a second (and when it goes idle): wait for the
# last ones of the run before reading the counters.
sleep 1.5
read -r COMMITS1 FPI1 CKPT1 < <(wal_figures)
POST_TASKS=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE id > $POST_MAXID0")
COMMITS=$(diff_or_empty "$COMMITS0" "$COMMITS1")
FPI=$(diff_or_empty "$FPI0" "$FPI1")
CKPTS=$(diff_or_empty "$CKPT0" "$CKPT1")
read -r POST_CREATED POST_BACKLOG_S < <(q "$BENCH_DB" -F ' ' -c "SELECT count(*),
  round(extract(epoch FROM max(updated_at) - max(created_at))::numeric, 2) FROM tasks WHERE id > $MAXID")

# ---------------------------------------------------------------------------------------------
# 5. The drain
# ---------------------------------------------------------------------------------------------
log "drain: $BENCH_DRAIN_TASKS creates over $BENCH_DRAIN_CONCURRENCY connections, then wait for all final"
DRAIN=$(python3 "$BENCH_DIR/drain.py" --url "$SERVICE_URL" --db-url "$(db_url "$BENCH_DB")" \
  --tasks "$BENCH_DRAIN_TASKS" --concurrency "$BENCH_DRAIN_CONCURRENCY") ||
  die "drain failed: $DRAIN"
SERVICE_RSS=$(rss_mib "$SERVICE_PID")
# The history's size on disk (tables, indexes, free space maps), every task of the run final: its
# tables are task_history (before migration V9), or task_history_rows and task_history_old behind
# the view of that name.
read -r HISTORY_BYTES HISTORY_TASKS < <(q "$BENCH_DB" -F ' ' -c "SELECT
  (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = current_schema() AND c.relkind = 'r'
   AND c.relname IN ('task_history', 'task_history_rows', 'task_history_old'))::bigint,
  (SELECT count(*) FROM tasks)")

# ---------------------------------------------------------------------------------------------
# 6. The table
# ---------------------------------------------------------------------------------------------
num() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
# A / B with DECIMALS, or nothing when either is missing or B is 0.
quotient() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { if (a != "" && b > 0) printf "%." p "f", a / b }'; }
dash() { echo "${1:-—}"; }
WAL_PER_TASK=$(quotient "$WAL_BYTES" "$POST_TASKS" 0)
COMMITS_PER_TASK=$(quotient "$COMMITS" "$POST_TASKS" 2)
FPI_PER_TASK=$(quotient "$FPI" "$POST_TASKS" 3)
HISTORY_PER_TASK=$(quotient "$HISTORY_BYTES" "$HISTORY_TASKS" 0)
POST_RATIO=$(quotient "$(field rps "$SVC_POST")" "$(field tps "$PG_INSERT_BARE")" 3)
POST_SCHEMA_RATIO=$(quotient "$(field rps "$SVC_POST")" "$(field tps "$PG_INSERT_SCHEMA")" 3)
GET_RATIO=$(quotient "$(field rps "$SVC_GET")" "$(field tps "$PG_SELECT")" 3)
LIST_RATIO=$(quotient "$(field rps "$SVC_LIST")" "$(field tps "$PG_LIST")" 3)
lat() { printf '%s / %s' "$(field p50_ms "$1")" "$(field p99_ms "$1")"; }
wrk_errors() { echo $(($(field non2xx "$1") + $(field socket_errors "$1"))); }
# every error of the run: service non-2xx and socket errors, pgbench failures, drain non-201
ERRORS=$(($(wrk_errors "$SVC_GET") + $(wrk_errors "$SVC_LIST") + $(wrk_errors "$SVC_POST") +
  $(field non201 "$DRAIN")))
for line in "$PG_SELECT" "$PG_LIST" "$PG_INSERT_BARE" "$PG_INSERT_SCHEMA" "$PG_TRANSITION"; do
  ERRORS=$((ERRORS + $(field failed "$line")))
done
row() { # LABEL WRK_LINE PGBENCH_LINE [bold]: the ratio in bold when a 4th argument is given
  local r
  r=$(ratio "$(field rps "$2")" "$(field tps "$3")")
  [[ -n ${4:-} ]] && r="**$r**"
  printf '| %s | %s req/s | %s tps | %s | %s | %s | %s / %s |\n' "$1" \
    "$(num "$(field rps "$2")")" "$(num "$(field tps "$3")")" \
    "$r" "$(lat "$2")" "$(lat "$3")" \
    "$(wrk_errors "$2")" "$(field failed "$3")"
}

TABLE=$(
  echo "| Measure | Service (wrk) | Ceiling (pgbench) | Ratio | Service p50 / p99 ms | Ceiling p50 / p99 ms | Errors service / pgbench |"
  echo "|---|---|---|---|---|---|---|"
  row "**POST /api/v1/tasks/ ÷ bare INSERT** (INSERT … RETURNING * into a bare table: no trigger, history or foreign key)" \
    "$SVC_POST" "$PG_INSERT_BARE" bold
  row "POST /api/v1/tasks/ ÷ schema INSERT (old ceiling: into a copy of tasks, count triggers fire)" \
    "$SVC_POST" "$PG_INSERT_SCHEMA"
  row "**GET /api/v1/tasks/{id}/ ÷ PK SELECT** (on the bare table)" "$SVC_GET" "$PG_SELECT" bold
  row "GET /api/v1/tasks/?$LIST_QUERY ÷ count + page" "$SVC_LIST" "$PG_LIST"
  printf '| Locked transition (SELECT … FOR UPDATE; UPDATE; COMMIT) | — | %s tps | — | — | %s | — / %s |\n' \
    "$(num "$(field tps "$PG_TRANSITION")")" "$(lat "$PG_TRANSITION")" "$(field failed "$PG_TRANSITION")"
  printf '| Per task of the POST run (%s tasks, until all final) | **%s B WAL**, %s commits, %s full-page images | — | — | — | — | — |\n' \
    "$POST_TASKS" "$(dash "$WAL_PER_TASK")" "$(dash "$COMMITS_PER_TASK")" "$(dash "$FPI_PER_TASK")"
  printf '| History on disk at the end (%s tasks, all final) | **%s B per task** (tables and indexes) | — | — | — | — | — |\n' \
    "$HISTORY_TASKS" "$(dash "$HISTORY_PER_TASK")"
  printf '| Backlog after the POST runs (%s tasks) | %s s from the last create to all final | — | — | — | — | — |\n' \
    "$POST_CREATED" "$POST_BACKLOG_S"
  printf '| Drain: %s creates at once (%s connections) | **%s s** from last 201 to all final | floor %s s (delay) | — | created in %s s (%s/s), %s s first request → all final | — | %s / — |\n' \
    "$(field created "$DRAIN")" "$BENCH_DRAIN_CONCURRENCY" "$(field drain_s "$DRAIN")" \
    "$(awk -v d="$BENCH_DELAY_MS" 'BEGIN { printf "%.1f", d / 1000 }')" \
    "$(field create_s "$DRAIN")" "$(num "$(field create_rps "$DRAIN")")" "$(field total_s "$DRAIN")" \
    "$(field non201 "$DRAIN")"
)

{
  echo "# task-service benchmark $BENCH_STAMP$([[ ${BENCH_SMOKE:-0} == 1 ]] && echo " (smoke run)")"
  echo
  echo "$MACHINE"
  echo
  echo "**POST ÷ bare INSERT: $(ratio "$(field rps "$SVC_POST")" "$(field tps "$PG_INSERT_BARE")")" \
    "· GET by id ÷ PK SELECT: $(ratio "$(field rps "$SVC_GET")" "$(field tps "$PG_SELECT")")**" \
    "· list ÷ count + page: $(ratio "$(field rps "$SVC_LIST")" "$(field tps "$PG_LIST")")" \
    "· drain: $(field drain_s "$DRAIN") s · WAL per task: $(dash "$WAL_PER_TASK") B" \
    "· history per task: $(dash "$HISTORY_PER_TASK") B"
  echo
  echo "$TABLE"
  echo
  echo "Service RSS at the end: ${SERVICE_RSS} MiB. Drain outcome: $(field final "$DRAIN")."
  echo "Load average before the run: $LOAD_START (well above 0 means other processes were busy and"
  echo "the figures are noisy; during the run the benchmark itself drives it up)."
  echo "Ratio = service req/s ÷ pgbench tps (client, service and PostgreSQL share the same $(nproc) cores)."
  echo "The POST and GET-by-id ceilings are PostgreSQL's own: one row into / out of a bare table of the"
  echo "same columns, primary key and indexes as tasks, with no trigger, history or foreign key (what"
  echo "one row costs the database, not what our schema costs). The schema INSERT line is the old POST"
  echo "ceiling, the same INSERT into a copy of the migrated tasks table, for comparison with older figures."
  echo "Per task of the POST run: from the end of the warm-up until all $POST_TASKS tasks the ${BENCH_DURATION} s run"
  echo "created were final, the pg_current_wal_lsn() difference ($(dash "$WAL_BYTES") B), the commits of $BENCH_DB"
  echo "(pg_stat_database.xact_commit: $(dash "$COMMITS"), read-only ones included) and the full-page images"
  echo "(pg_stat_wal.wal_fpi: $(dash "$FPI")), each ÷ the tasks. The two counters are read 1.5 s after the last"
  echo "task was final (statistics are flushed at most once a second). WAL and full-page images are"
  echo "cluster-wide: anything else writing to this server counts. Checkpoints begun meanwhile: $(dash "$CKPTS")"
  echo "(after one, the first change of each page writes a full-page image). The warm-up's tasks were all"
  echo "final before the measured run began ($POST_INFLIGHT0 unfinished at its start)."
  echo "Raw outputs: $(basename "$WRK_LOG"), $(basename "$PGBENCH_LOG"), $(basename "$SERVICE_LOG")."
} >"$REPORT"
# The key figures on one line, for bench/pair.sh (empty value = not available).
echo "BENCH post_ratio=$POST_RATIO get_ratio=$GET_RATIO list_ratio=$LIST_RATIO" \
  "drain_s=$(field drain_s "$DRAIN") wal_per_task=$WAL_PER_TASK commits_per_task=$COMMITS_PER_TASK" \
  "fpi_per_task=$FPI_PER_TASK post_schema_ratio=$POST_SCHEMA_RATIO post_rps=$(num "$(field rps "$SVC_POST")")" \
  "post_tasks=$POST_TASKS history_per_task=$HISTORY_PER_TASK errors=$ERRORS" >"$BENCH_RESULTS_DIR/$BENCH_STAMP-summary.txt"
echo
cat "$REPORT"
echo
log "written to $REPORT"
