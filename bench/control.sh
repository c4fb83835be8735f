#!/usr/bin/env bash
# Task control under load, on one PostgreSQL (BENCH_PG_URL), each part on a fresh database:
#   a. bulk: tasks/s through POST /api/v1/tasks/bulk/ with 1,000-item bodies (wrk, an http-only
#      node) ÷ PostgreSQL's own INSERT ... SELECT FROM unnest($1::text[]) of 1,000 rows into the
#      bare table (pgbench, prepared, as many clients as wrk has connections; target ≥ 0.7), in
#      CONTROL_ROUNDS alternating rounds, the median ratio the figure; then
#      "processing keeps up": 10,000 tasks through /bulk/ on a node with room for all of them,
#      every one final within delay + 1 s of the last batch;
#   b. scheduling: 100,000 tasks through /bulk/ with run_after spread over 60 s: p99 lateness
#      (claimed in task_history − run_after, target ≤ 1 s), and the commits per second of the
#      idle node while nothing is due, with 0 and with 100,000 tasks scheduled;
#   c. cancel-all of 100,000 waiting tasks under POST load: how long it takes, and the creates'
#      p99 meanwhile against the same load without it.
# CONTROL_SMOKE=1 (or BENCH_SMOKE=1): small numbers, a check that the script works.
# Writes bench/results/<stamp>-control.md. See bench/README.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMOKE=${CONTROL_SMOKE:-${BENCH_SMOKE:-0}}
CONTROL_DB=${CONTROL_DB:-tasks_bench_control}
CONTROL_PORT=${CONTROL_PORT:-18280}
CONTROL_BULK_CONNECTIONS=${CONTROL_BULK_CONNECTIONS:-8}
CONTROL_POST_CONNECTIONS=${CONTROL_POST_CONNECTIONS:-16}
CONTROL_DELAY_MS=${CONTROL_DELAY_MS:-3000}
CONTROL_SCHEDULE_DELAY_MS=${CONTROL_SCHEDULE_DELAY_MS:-200}
if [[ $SMOKE == 1 ]]; then
  CONTROL_ROUNDS=${CONTROL_ROUNDS:-1}
  CONTROL_DURATION=${CONTROL_DURATION:-3}
  CONTROL_WARMUP=${CONTROL_WARMUP:-2}
  CONTROL_KEEPUP_TASKS=${CONTROL_KEEPUP_TASKS:-2000}
  CONTROL_SCHEDULE_TASKS=${CONTROL_SCHEDULE_TASKS:-3000}
  CONTROL_SCHEDULE_SPREAD=${CONTROL_SCHEDULE_SPREAD:-10}
  CONTROL_SCHEDULE_LEAD=${CONTROL_SCHEDULE_LEAD:-12}
  CONTROL_CANCEL_TASKS=${CONTROL_CANCEL_TASKS:-5000}
else
  CONTROL_ROUNDS=${CONTROL_ROUNDS:-3}
  CONTROL_DURATION=${CONTROL_DURATION:-20}
  CONTROL_WARMUP=${CONTROL_WARMUP:-30}
  CONTROL_KEEPUP_TASKS=${CONTROL_KEEPUP_TASKS:-10000}
  CONTROL_SCHEDULE_TASKS=${CONTROL_SCHEDULE_TASKS:-100000}
  CONTROL_SCHEDULE_SPREAD=${CONTROL_SCHEDULE_SPREAD:-60}
  # seconds from writing the bodies to the first due time: all creates must be done before it
  CONTROL_SCHEDULE_LEAD=${CONTROL_SCHEDULE_LEAD:-45}
  CONTROL_CANCEL_TASKS=${CONTROL_CANCEL_TASKS:-100000}
fi

require_tools psql pg_dump pgbench java curl python3 wrk
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-control.md"
WRK_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-control-wrk.txt"
PGBENCH_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-control-pgbench.txt"
: >"$WRK_LOG"
: >"$PGBENCH_LOG"
trap bench_cleanup EXIT
SCRATCH=$(mktemp -d /tmp/bench-control.XXXXXX)
TMP_DIRS+=("$SCRATCH")
warn_if_busy
SERVICE_URL="http://$BENCH_HOST:$CONTROL_PORT" # for run_wrk
sql() { q "$CONTROL_DB" -c "$1"; }
RESULTS=()
CONTROL_PARTS=${CONTROL_PARTS:-abc} # the parts to run, e.g. CONTROL_PARTS=a
wants() { [[ $CONTROL_PARTS == *"$1"* ]]; }
result() { RESULTS+=("$1"); log "$1"; }
migrate() { TASKS_DB_URL=$(db_url "$1") java -jar "$BENCH_JAR" migrate >/dev/null 2>&1 || die "migration of $1 failed"; }
commits() { sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }
# CPU ticks of the whole machine, busy and idle (/proc/stat)
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
# "µs per item, idle %" from busy and idle ticks and an item count
cpu_per() {
  awk -v b="$1" -v i="$2" -v n="$3" -v us="$TICK_US" \
    'BEGIN { if (n > 0) printf "%.1f µs, idle %.0f %%", b * us / n, 100 * i / (b + i) }'
}

# ---------------------------------------------------------------------------------------------
# a. Bulk rate against PostgreSQL's own 1,000-row insert
# ---------------------------------------------------------------------------------------------
if wants a; then
fresh_db "$CONTROL_DB"
fresh_db "${CONTROL_DB}_ceiling"
migrate "$CONTROL_DB"
copy_schema "$CONTROL_DB" "${CONTROL_DB}_ceiling"
bare_table "${CONTROL_DB}_ceiling"
LOAD_A=$(load_now)
bulk_body "$SCRATCH/bulk.json" 1000 "bulk"
TITLES=$(python3 -c 'print("{" + ",".join("\"bulk %d\"" % i for i in range(1000)) + "}")')
C=$CONTROL_BULK_CONNECTIONS
# creates only: no worker competes with them for the cores; the node idles while pgbench runs
start_node bulk "$CONTROL_PORT" "$CONTROL_DB" TASKS_ROLE=http TASKS_MAX_PENDING=1000000
BULK_PID=$NODE_PID
log "a: wrk warm-up, POST /api/v1/tasks/bulk/ with 1,000 tasks a request (${CONTROL_WARMUP}s, $C connections)"
run_wrk bulk.lua "$CONTROL_WARMUP" "$C" "$SCRATCH/bulk.json" >/dev/null
# rounds of the ceiling and the service one after the other: each ratio compares two runs a few
# seconds apart, and the median of the rounds is the figure (the ceiling alone moved by a third
# between runs of one hour)
RATIOS=() ROUNDS_TEXT="" PG_BUSY=0 PG_IDLE=0 PG_ROWS=0 SVC_BUSY=0 SVC_IDLE=0 SVC_N=0 NODE_T=0 ERRORS=0
for ((round = 1; round <= CONTROL_ROUNDS; round++)); do
  log "a: round $round of $CONTROL_ROUNDS: pgbench, 1,000-row INSERT ... SELECT FROM unnest(\$1::text[]) into the bare table, then wrk on /bulk/ (${CONTROL_DURATION}s each, $C clients = connections)"
  read -r B0 I0 < <(machine_ticks)
  PG_BULK=$(run_pgbench "${CONTROL_DB}_ceiling" insert-bare-unnest.sql "$CONTROL_DURATION" "$C" -D titles="$TITLES")
  read -r B1 I1 < <(machine_ticks)
  NODE0=$(proc_ticks "$BULK_PID")
  SVC_BULK=$(run_wrk bulk.lua "$CONTROL_DURATION" "$C" "$SCRATCH/bulk.json")
  read -r B2 I2 < <(machine_ticks)
  NODE_T=$((NODE_T + $(proc_ticks "$BULK_PID") - NODE0))
  PG_BUSY=$((PG_BUSY + B1 - B0)) PG_IDLE=$((PG_IDLE + I1 - I0))
  PG_ROWS=$((PG_ROWS + $(field transactions "$PG_BULK") * 1000))
  SVC_BUSY=$((SVC_BUSY + B2 - B1)) SVC_IDLE=$((SVC_IDLE + I2 - I1))
  SVC_N=$((SVC_N + $(field requests "$SVC_BULK") * 1000))
  ERRORS=$((ERRORS + $(field non2xx "$SVC_BULK") + $(field socket_errors "$SVC_BULK") + $(field failed "$PG_BULK")))
  SVC_TASKS=$(awk -v r="$(field rps "$SVC_BULK")" 'BEGIN { printf "%.0f", r * 1000 }')
  PG_TASKS=$(awk -v r="$(field tps "$PG_BULK")" 'BEGIN { printf "%.0f", r * 1000 }')
  RATIO=$(awk -v a="$SVC_TASKS" -v b="$PG_TASKS" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
  RATIOS+=("$RATIO")
  ROUNDS_TEXT+="${ROUNDS_TEXT:+; }$RATIO = $SVC_TASKS tasks/s (p50 $(field p50_ms "$SVC_BULK") / p99 $(field p99_ms "$SVC_BULK") ms) ÷ $PG_TASKS rows/s (p50 $(field p50_ms "$PG_BULK") / p99 $(field p99_ms "$PG_BULK") ms)"
  log "a: round $round: $RATIO"
done
stop_node "$BULK_PID"
drop_db "${CONTROL_DB}_ceiling"
A_RATIO=$(printf '%s\n' "${RATIOS[@]}" | percentile 50)
result "a. bulk (load $LOAD_A, $C connections = clients, http-only node; $CONTROL_ROUNDS rounds of ${CONTROL_DURATION} s of PostgreSQL's 1,000-row unnest insert into the bare table, then ${CONTROL_DURATION} s of the service): median ratio **$A_RATIO** (target ≥ 0.7: $(awk -v r="$A_RATIO" 'BEGIN { print (r >= 0.7 ? "met" : "MISSED") }')); rounds: $ROUNDS_TEXT; errors $ERRORS"
result "a. CPU of the machine (every process: PostgreSQL, the node, the load generator) per task created through /bulk/: $(cpu_per "$SVC_BUSY" "$SVC_IDLE" "$SVC_N") (the node's JVM $(awk -v t="$NODE_T" -v n="$SVC_N" -v us="$TICK_US" 'BEGIN { if (n > 0) printf "%.1f", t * us / n }') µs of it); per row of the unnest insert: $(cpu_per "$PG_BUSY" "$PG_IDLE" "$PG_ROWS"). The ratio follows the CPU per task where the service keeps the cores busy; the ceiling's idle share is time its clients wait on each other."
drop_db "$CONTROL_DB"

# processing keeps up: every task final within delay + 1 s of the last batch
fresh_db "$CONTROL_DB"
LOAD_K=$(load_now)
start_node keepup "$CONTROL_PORT" "$CONTROL_DB" TASKS_ROLE=all TASKS_QUEUES="*=$((CONTROL_KEEPUP_TASKS * 2))" \
  TASKS_PROCESSING_DELAY_MS="$CONTROL_DELAY_MS" TASKS_MAX_PENDING=1000000
KEEP_PID=$NODE_PID
log "a: $CONTROL_KEEPUP_TASKS tasks through /bulk/, one request after the other"
for ((i = 0; i < CONTROL_KEEPUP_TASKS / 1000; i++)); do post_bulk "$CONTROL_PORT" "$SCRATCH/bulk.json"; done
wait_all_final "$CONTROL_DB" 600 >/dev/null
read -r K_CREATE_S K_LAST_S < <(q "$CONTROL_DB" -F ' ' -c "SELECT
  round(extract(epoch FROM max(created_at) - min(created_at))::numeric, 2),
  round(extract(epoch FROM max(updated_at) - max(created_at))::numeric, 2) FROM tasks")
K_TARGET=$(awk -v d="$CONTROL_DELAY_MS" 'BEGIN { printf "%.1f", d / 1000 + 1 }')
result "a. processing keeps up (load $LOAD_K): $CONTROL_KEEPUP_TASKS tasks in $((CONTROL_KEEPUP_TASKS / 1000)) bulk requests over $K_CREATE_S s, node TASKS_QUEUES=*=$((CONTROL_KEEPUP_TASKS * 2)), delay $CONTROL_DELAY_MS ms: **all final $K_LAST_S s after the last batch** (target ≤ delay + 1 s = $K_TARGET s: $(awk -v a="$K_LAST_S" -v b="$K_TARGET" 'BEGIN { print (a <= b ? "met" : "MISSED") }'))"
stop_node "$KEEP_PID"
drop_db "$CONTROL_DB"
fi

# ---------------------------------------------------------------------------------------------
# b. Scheduling: 100,000 tasks over 60 s
# ---------------------------------------------------------------------------------------------
if wants b; then
fresh_db "$CONTROL_DB"
LOAD_B=$(load_now)
start_node schedule "$CONTROL_PORT" "$CONTROL_DB" TASKS_ROLE=all \
  TASKS_PROCESSING_DELAY_MS="$CONTROL_SCHEDULE_DELAY_MS" TASKS_MAX_PENDING=1000000
SCHED_PID=$NODE_PID
IDLE_S=5
sleep 2
c0=$(commits)
sleep "$IDLE_S"
c1=$(commits)
IDLE_EMPTY=$(awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" 'BEGIN { printf "%.1f", (b - a - 1) / s }')
# bodies of 1,000 tasks, run_after evenly spread from now + LEAD over SPREAD seconds
python3 - "$SCRATCH" "$CONTROL_SCHEDULE_TASKS" "$CONTROL_SCHEDULE_LEAD" "$CONTROL_SCHEDULE_SPREAD" <<'PY'
import datetime, json, sys
scratch, n, lead, spread = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
t0 = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lead)
for b in range(0, n, 1000):
    items = []
    for k in range(b, min(b + 1000, n)):
        at = t0 + datetime.timedelta(seconds=spread * k / n)
        items.append('{"title":"at %d","run_after":"%s"}' % (k, at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")))
    open("%s/sched-%06d.json" % (scratch, b), "w").write("[" + ",".join(items) + "]")

PY
log "b: $CONTROL_SCHEDULE_TASKS scheduled tasks through /bulk/, due from ${CONTROL_SCHEDULE_LEAD} s on over ${CONTROL_SCHEDULE_SPREAD} s"
S_START=$SECONDS
for f in "$SCRATCH"/sched-*.json; do post_bulk "$CONTROL_PORT" "$f"; done
S_CREATE_S=$((SECONDS - S_START))
FIRST_DUE_IN=$(sql "SELECT extract(epoch FROM min(run_after) - now()) FROM tasks")
IDLE_FULL="—"
IDLE_FULL_S=$(awk -v x="$FIRST_DUE_IN" 'BEGIN { s = int(x - 2); if (s > 10) s = 10; print s }')
if ((IDLE_FULL_S >= 2)); then
  sleep 1
  c0=$(commits)
  sleep "$IDLE_FULL_S"
  c1=$(commits)
  IDLE_FULL=$(awk -v a="$c0" -v b="$c1" -v s="$IDLE_FULL_S" 'BEGIN { printf "%.1f", (b - a - 1) / s }')
fi
wait_all_final "$CONTROL_DB" 3600 >/dev/null
read -r S_N S_P50 S_P99 S_MAX S_LATE S_EARLY < <(q "$CONTROL_DB" -F ' ' -c "
  WITH l AS (SELECT extract(epoch FROM h.at - t.run_after) * 1000 AS ms FROM tasks t
             JOIN task_history h ON h.task_id = t.id AND h.event IN ('claimed', 'recovered'))
  SELECT count(*), round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric),
         round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms)::numeric), round(max(ms)::numeric),
         count(*) FILTER (WHERE ms > 1000), count(*) FILTER (WHERE ms < 0) FROM l")
result "b. scheduling (load $LOAD_B): $S_N tasks due over ${CONTROL_SCHEDULE_SPREAD} s (created in $S_CREATE_S s through /bulk/, first due ${CONTROL_SCHEDULE_LEAD} s after the bodies were written), one node, delay $CONTROL_SCHEDULE_DELAY_MS ms: lateness (claimed − run_after) p50 $S_P50 ms, **p99 $S_P99 ms**, max $S_MAX ms; $S_LATE later than 1 s, $S_EARLY claimed early (target p99 ≤ 1 s: $( ((S_P99 <= 1000)) && echo met || echo MISSED)). Idle node, nothing due: $IDLE_EMPTY commits/s with no task scheduled (${IDLE_S} s), $IDLE_FULL commits/s with $S_N scheduled (${IDLE_FULL_S} s) (pg_stat_database.xact_commit, read-only transactions included, this script's own reads left out)"
stop_node "$SCHED_PID"
drop_db "$CONTROL_DB"
fi

# ---------------------------------------------------------------------------------------------
# c. Cancel-all of 100,000 waiting tasks under POST load
# ---------------------------------------------------------------------------------------------
if wants c; then
fresh_db "$CONTROL_DB"
migrate "$CONTROL_DB"
# the waiting tasks sit in a queue no worker consumes; the creates go to default and are processed
sql "INSERT INTO tasks (title, queue) SELECT 'hold ' || g, 'hold' FROM generate_series(1, $CONTROL_CANCEL_TASKS) g" >/dev/null
sql "VACUUM (ANALYZE) tasks" >/dev/null
LOAD_C=$(load_now)
start_node cancel "$CONTROL_PORT" "$CONTROL_DB" TASKS_ROLE=all TASKS_QUEUES=default \
  TASKS_PROCESSING_DELAY_MS=1000
CANCEL_PID=$NODE_PID
C=$CONTROL_POST_CONNECTIONS
log "c: POST load without cancel (warm-up ${CONTROL_WARMUP}s, then ${CONTROL_DURATION}s, $C connections)"
run_wrk post.lua "$CONTROL_WARMUP" "$C" >/dev/null
BASE=$(run_wrk post.lua "$CONTROL_DURATION" "$C")
log "c: the same load, cancel-all of queue hold after 2 s"
run_wrk post.lua "$CONTROL_DURATION" "$C" >"$SCRATCH/with-cancel.txt" &
WRK_PID=$!
sleep 2
t0=$(date +%s.%N)
ANSWER=$(curl -s -m 600 -X POST "http://$BENCH_HOST:$CONTROL_PORT/api/v1/tasks/cancel/?queue=hold")
t1=$(date +%s.%N)
wait "$WRK_PID"
WITH=$(cat "$SCRATCH/with-cancel.txt")
CANCEL_S=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
LEFT=$(sql "SELECT count(*) FROM tasks WHERE queue = 'hold' AND status = 'new'")
result "c. cancel-all (load $LOAD_C): $CONTROL_CANCEL_TASKS waiting tasks cancelled in **$CANCEL_S s** (answer $ANSWER; $LEFT left new) while wrk POSTed at $C connections; creates without cancel: $(field rps "$BASE") req/s, p50 $(field p50_ms "$BASE") / **p99 $(field p99_ms "$BASE") ms**; during the ${CONTROL_DURATION} s run that held the cancel: $(field rps "$WITH") req/s, p50 $(field p50_ms "$WITH") / **p99 $(field p99_ms "$WITH") ms** (errors $(($(field non2xx "$BASE") + $(field socket_errors "$BASE"))) / $(($(field non2xx "$WITH") + $(field socket_errors "$WITH"))))$(awk -v c="$CANCEL_S" -v d="$CONTROL_DURATION" 'BEGIN { if (c + 2 > d) print "; the cancel outlasted the load run" }')"
stop_node "$CANCEL_PID"
drop_db "$CONTROL_DB"
fi

{
  echo "# Task control under load $BENCH_STAMP$([[ $SMOKE == 1 ]] && echo " (smoke run)")"
  echo
  echo "- $(nproc) cores; jar $BENCH_JAR; PostgreSQL $(q postgres -c 'SHOW server_version')"
  echo "- load average (1 min) before each part is given with it: other processes on the machine count"
  echo
  for line in "${RESULTS[@]}"; do echo "- $line"; done
  echo
  echo "Raw outputs: $(basename "$WRK_LOG"), $(basename "$PGBENCH_LOG"), node logs $BENCH_STAMP-<node>.log."
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT"
