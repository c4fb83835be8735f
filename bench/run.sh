#!/usr/bin/env bash
# The benchmark of task-service, in one run:
#   1. records the machine (cores, memory, Java, PostgreSQL and its key settings);
#   2. starts the jar on a fresh database (BENCH_DB), which applies the migrations;
#   3. seeds finished tasks and measures the ceiling with pgbench: the service's own statements,
#      prepared, as many clients as wrk has connections;
#   4. measures the service with wrk: GET by id, GET list, POST create;
#   5. measures a drain: BENCH_DRAIN_TASKS creates at once, seconds until all are final;
#   6. prints one table and writes it to bench/results/<timestamp>.md;
#   7. stops the jar and drops the databases (also on failure or Ctrl-C).
# BENCH_SMOKE=1 makes every measure 2 s and the drain 200 tasks: a quick check of the scripts.
# See bench/README.md for the variables and how to read the table.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_DB:-tasks_bench}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_DURATION=${BENCH_DURATION:-30}
BENCH_WARMUP=${BENCH_WARMUP:-5}
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
    "(+${BENCH_WARMUP}s warm-up per wrk measure), seed=$BENCH_SEED_ROWS finished tasks," \
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
fresh_db "$CEILING_DB"
copy_schema "$BENCH_DB" "$CEILING_DB"
log "seeding $BENCH_SEED_ROWS finished tasks"
seed_finished "$BENCH_DB" "$BENCH_SEED_ROWS"
seed_finished "$CEILING_DB" "$BENCH_SEED_ROWS"
read -r MINID MAXID < <(q "$BENCH_DB" -F ' ' -c "SELECT min(id), max(id) FROM tasks")

# In the order the service is measured, so that both see the same table: reads on the seed,
# then inserts, then (on the seeded rows only) the transition.
log "pgbench: PK SELECT (${BENCH_DURATION}s, $C clients)"
PG_SELECT=$(run_pgbench "$CEILING_DB" select.sql "$BENCH_DURATION" "$C" -D minid="$MINID" -D maxid="$MAXID")
log "pgbench: count + page (${BENCH_DURATION}s, $C clients)"
PG_LIST=$(run_pgbench "$CEILING_DB" list.sql "$BENCH_DURATION" "$C" \
  -D status="$BENCH_LIST_STATUS" -D limit="$BENCH_PAGE_SIZE" -D offset=0)
log "pgbench: single-row INSERT (${BENCH_DURATION}s, $C clients)"
PG_INSERT=$(run_pgbench "$CEILING_DB" insert.sql "$BENCH_DURATION" "$C")
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
log "wrk: POST /api/v1/tasks/"
SVC_POST=$(measure post.lua)
# The workers process what the POST run created (3 s each, in parallel); the next measure must
# not compete with them. How long they need after the load stops is itself worth knowing: it is
# read from the rows (database clock), last created_at to last updated_at.
log "waiting for the workers to finish the tasks created by the POST runs"
wait_all_final "$BENCH_DB" 900 >/dev/null
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

# ---------------------------------------------------------------------------------------------
# 6. The table
# ---------------------------------------------------------------------------------------------
num() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
lat() { printf '%s / %s' "$(field p50_ms "$1")" "$(field p99_ms "$1")"; }
wrk_errors() { echo $(($(field non2xx "$1") + $(field socket_errors "$1"))); }
row() { # LABEL WRK_LINE PGBENCH_LINE
  printf '| %s | %s req/s | %s tps | %s | %s | %s | %s / %s |\n' "$1" \
    "$(num "$(field rps "$2")")" "$(num "$(field tps "$3")")" \
    "$(ratio "$(field rps "$2")" "$(field tps "$3")")" "$(lat "$2")" "$(lat "$3")" \
    "$(wrk_errors "$2")" "$(field failed "$3")"
}

TABLE=$(
  echo "| Measure | Service (wrk) | Ceiling (pgbench) | Ratio | Service p50 / p99 ms | Ceiling p50 / p99 ms | Errors service / pgbench |"
  echo "|---|---|---|---|---|---|---|"
  row "POST /api/v1/tasks/ ÷ single-row INSERT" "$SVC_POST" "$PG_INSERT"
  row "GET /api/v1/tasks/{id}/ ÷ PK SELECT" "$SVC_GET" "$PG_SELECT"
  row "GET /api/v1/tasks/?$LIST_QUERY ÷ count + page" "$SVC_LIST" "$PG_LIST"
  printf '| Locked transition (SELECT … FOR UPDATE; UPDATE; COMMIT) | — | %s tps | — | — | %s | — / %s |\n' \
    "$(num "$(field tps "$PG_TRANSITION")")" "$(lat "$PG_TRANSITION")" "$(field failed "$PG_TRANSITION")"
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
  echo "$TABLE"
  echo
  echo "Service RSS at the end: ${SERVICE_RSS} MiB. Drain outcome: $(field final "$DRAIN")."
  echo "Load average before the run: $LOAD_START (well above 0 means other processes were busy and"
  echo "the figures are noisy; during the run the benchmark itself drives it up)."
  echo "Ratio = service req/s ÷ pgbench tps on the same statements (1.00 = the service adds no cost"
  echo "beyond the database; client, service and PostgreSQL share the same $(nproc) cores)."
  echo "Raw outputs: $(basename "$WRK_LOG"), $(basename "$PGBENCH_LOG"), $(basename "$SERVICE_LOG")."
} >"$REPORT"
echo
cat "$REPORT"
echo
log "written to $REPORT"
