#!/usr/bin/env bash
# Queues under load, on one PostgreSQL (BENCH_PG_URL), each part on a fresh database:
#   a. isolation: one node consuming bulk=100,default=100; QUEUES_BULK_TASKS tasks dumped into
#      bulk through /bulk/ while 10 tasks/s go to default; p99 time to final of the default tasks
#      against delay + 0.5 s while the bulk backlog drains;
#   b. priority: a queue with max_running 10 (settings row) and 1,000 waiting priority-9 tasks; a
#      priority-0 task created after them must be among the next 10 claimed (task_history order);
#   c. max_running 20 across three worker JVMs under a backlog: the queue's processing count
#      sampled every 50 ms never exceeds 20; throughput against 20 / delay;
#   d. flatness: the same backlog in 1 queue and spread over 100, with 1,000 queues named
#      (settings rows) and with 100, and 1 queue claiming its rows in the 100 queues' order: the
#      claim-loop throughput of one worker, in rounds; GET /api/v1/queues/ with wrk.
# QUEUES_SMOKE=1 (or BENCH_SMOKE=1): small numbers, a check that the script works.
# Writes bench/results/<stamp>-queues.md. See bench/README.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMOKE=${QUEUES_SMOKE:-${BENCH_SMOKE:-0}}
QUEUES_DB=${QUEUES_DB:-tasks_bench_queues}
QUEUES_PORT=${QUEUES_PORT:-18180} # this port and the next two
QUEUES_DELAY_MS=${QUEUES_DELAY_MS:-200}
if [[ $SMOKE == 1 ]]; then
  QUEUES_BULK_TASKS=${QUEUES_BULK_TASKS:-2000}
  QUEUES_PRIO_TASKS=${QUEUES_PRIO_TASKS:-200}
  QUEUES_CAP_TASKS=${QUEUES_CAP_TASKS:-200}
  QUEUES_FLAT_TASKS=${QUEUES_FLAT_TASKS:-2000}
  QUEUES_FLAT_ROUNDS=${QUEUES_FLAT_ROUNDS:-1}
  QUEUES_FLAT_WARMUP=${QUEUES_FLAT_WARMUP:-2000}
  QUEUES_WRK_SECONDS=${QUEUES_WRK_SECONDS:-2}
else
  QUEUES_BULK_TASKS=${QUEUES_BULK_TASKS:-50000}
  QUEUES_PRIO_TASKS=${QUEUES_PRIO_TASKS:-1000}
  QUEUES_CAP_TASKS=${QUEUES_CAP_TASKS:-2000}
  QUEUES_FLAT_TASKS=${QUEUES_FLAT_TASKS:-50000}
  QUEUES_FLAT_ROUNDS=${QUEUES_FLAT_ROUNDS:-3}
  QUEUES_FLAT_WARMUP=${QUEUES_FLAT_WARMUP:-50000}
  QUEUES_WRK_SECONDS=${QUEUES_WRK_SECONDS:-15}
fi
QUEUES_DEFAULT_RATE=${QUEUES_DEFAULT_RATE:-10}
QUEUES_CAP=${QUEUES_CAP:-20}
QUEUES_CAP_DELAY_MS=${QUEUES_CAP_DELAY_MS:-500}
QUEUES_PRIO_DELAY_MS=${QUEUES_PRIO_DELAY_MS:-2000}

require_tools psql java curl python3 wrk
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-queues.md"
trap bench_cleanup EXIT
SCRATCH=$(mktemp -d /tmp/bench-queues.XXXXXX)
TMP_DIRS+=("$SCRATCH")
warn_if_busy
P0=$QUEUES_PORT
P1=$((QUEUES_PORT + 1))
P2=$((QUEUES_PORT + 2))
# A backlog inserted by SQL is found by the sweep: a long grace keeps it from being counted (and
# logged task by task) as recovered.
QUIET=(TASKS_NEW_GRACE_MS=3600000 TASKS_MAX_PENDING=1000000)
sql() { q "$QUEUES_DB" -c "$1"; }
# Waits until queue $1 holds no new or processing task; fails after $2 seconds.
wait_queue_final() {
  local deadline=$((SECONDS + $2))
  until [[ $(sql "SELECT count(*) FROM tasks WHERE queue = '$1' AND status IN ('new', 'processing')") == 0 ]]; do
    ((SECONDS < deadline)) || die "queue $1 not final after $2 s"
    sleep 0.2
  done
}
RESULTS=()
QUEUES_PARTS=${QUEUES_PARTS:-abcd} # the parts to run, e.g. QUEUES_PARTS=a
wants() { [[ $QUEUES_PARTS == *"$1"* ]]; }
result() { RESULTS+=("$1"); log "$1"; }

# ---------------------------------------------------------------------------------------------
# a. Isolation: a bulk backlog never delays the default queue
# ---------------------------------------------------------------------------------------------
if wants a; then
fresh_db "$QUEUES_DB"
LOAD_A=$(load_now)
start_node iso "$P0" "$QUEUES_DB" TASKS_ROLE=all TASKS_QUEUES=bulk=100,default=100 \
  TASKS_PROCESSING_DELAY_MS="$QUEUES_DELAY_MS" "${QUIET[@]}"
ISO_PID=$NODE_PID
bulk_body "$SCRATCH/bulk.json" 1000 "bulk" '"queue":"bulk"'
# 10 creates a second into default, paced, each its own curl in the background
sender() {
  local i=0 period
  period=$(awk -v r="$QUEUES_DEFAULT_RATE" 'BEGIN { printf "%.4f", 1 / r }')
  while [[ ! -f $SCRATCH/stop ]]; do
    curl -s -o /dev/null -H 'Content-Type: application/json' \
      -d "{\"title\":\"default $i\"}" "http://$BENCH_HOST:$P0/api/v1/tasks/" &
    i=$((i + 1))
    sleep "$period"
  done
  wait
}
sender &
SENDER_PID=$!
sleep 2
log "a: $QUEUES_BULK_TASKS tasks into bulk through /bulk/ (1,000 a request)"
BULK_START=$(date +%s.%N)
for ((i = 0; i < QUEUES_BULK_TASKS / 1000; i++)); do post_bulk "$P0" "$SCRATCH/bulk.json"; done
BULK_CREATED=$(date +%s.%N)
wait_queue_final bulk 3600
touch "$SCRATCH/stop"
wait "$SENDER_PID" || true
wait_queue_final default 60
# the default tasks created while the bulk backlog existed: from the first bulk create to the
# last bulk task final
read -r A_N A_P50 A_P99 A_MAX < <(q "$QUEUES_DB" -F ' ' -c "
  WITH b AS (SELECT min(created_at) AS t0, max(updated_at) AS t1 FROM tasks WHERE queue = 'bulk'),
  d AS (SELECT extract(epoch FROM t.updated_at - t.created_at) * 1000 AS ms FROM tasks t, b
        WHERE t.queue = 'default' AND t.created_at BETWEEN b.t0 AND b.t1)
  SELECT count(*), round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric),
         round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms)::numeric), round(max(ms)::numeric) FROM d")
read -r BULK_DRAIN_S BULK_RATE < <(q "$QUEUES_DB" -F ' ' -c "
  SELECT round(extract(epoch FROM max(updated_at) - min(created_at))::numeric, 1),
         round(count(*) / extract(epoch FROM max(updated_at) - min(created_at))::numeric)
  FROM tasks WHERE queue = 'bulk'")
A_TARGET=$((QUEUES_DELAY_MS + 500))
result "a. isolation (load $LOAD_A): $A_N default tasks created while $QUEUES_BULK_TASKS bulk tasks drained (${BULK_DRAIN_S} s, $BULK_RATE tasks/s; capacity 100 / ${QUEUES_DELAY_MS} ms = $((100 * 1000 / QUEUES_DELAY_MS))/s; creates took $(awk -v a="$BULK_CREATED" -v b="$BULK_START" 'BEGIN{printf "%.1f", a-b}') s): time to final p50 $A_P50 ms, **p99 $A_P99 ms**, max $A_MAX ms; target p99 ≤ delay + 0.5 s = $A_TARGET ms: $( ((A_P99 <= A_TARGET)) && echo met || echo MISSED)"
stop_node "$ISO_PID"
drop_db "$QUEUES_DB"
fi

# ---------------------------------------------------------------------------------------------
# b. Priority: a priority-0 task jumps a waiting priority-9 backlog
# ---------------------------------------------------------------------------------------------
if wants b; then
fresh_db "$QUEUES_DB"
LOAD_B=$(load_now)
start_node prio "$P0" "$QUEUES_DB" TASKS_ROLE=all TASKS_QUEUES='*=1000' \
  TASKS_PROCESSING_DELAY_MS="$QUEUES_PRIO_DELAY_MS" "${QUIET[@]}"
PRIO_PID=$NODE_PID
sql "INSERT INTO queues (name, max_running) VALUES ('prio', 10)" >/dev/null
bulk_body "$SCRATCH/prio.json" 1000 "p9" '"queue":"prio","priority":9'
for ((i = 0; i < QUEUES_PRIO_TASKS / 1000; i++)); do post_bulk "$P0" "$SCRATCH/prio.json"; done
if ((QUEUES_PRIO_TASKS < 1000)); then
  bulk_body "$SCRATCH/prio.json" "$QUEUES_PRIO_TASKS" "p9" '"queue":"prio","priority":9'
  post_bulk "$P0" "$SCRATCH/prio.json"
fi
sleep 0.5
P0_ID=$(curl -s -H 'Content-Type: application/json' -d '{"title":"p0","queue":"prio","priority":0}' \
  "http://$BENCH_HOST:$P0/api/v1/tasks/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
deadline=$((SECONDS + 60))
until [[ $(sql "SELECT count(*) FROM task_history WHERE task_id = $P0_ID AND event IN ('claimed', 'recovered')") == 1 ]]; do
  ((SECONDS < deadline)) || die "the priority-0 task was not claimed within 60 s"
  sleep 0.1
done
# claims after the priority-0 task was created, in commit order (at, then id): its rank, and how
# many priority-9 tasks were claimed in earlier transactions
read -r B_RANK B_BEFORE B_WAITED B_MAXPROC < <(q "$QUEUES_DB" -F ' ' -c "
  WITH c AS (SELECT h.task_id, h.at FROM task_history h JOIN tasks t ON t.id = h.task_id
             WHERE t.queue = 'prio' AND h.event IN ('claimed', 'recovered')
               AND h.at >= (SELECT created_at FROM tasks WHERE id = $P0_ID)),
       me AS (SELECT at FROM c WHERE task_id = $P0_ID)
  SELECT (SELECT count(*) FROM c WHERE c.at < me.at) + 1, (SELECT count(*) FROM c WHERE c.at < me.at),
         round(extract(epoch FROM me.at - (SELECT created_at FROM tasks WHERE id = $P0_ID))::numeric * 1000),
         (SELECT count(*) FROM tasks WHERE queue = 'prio' AND status = 'processing') FROM me")
result "b. priority (load $LOAD_B): $QUEUES_PRIO_TASKS priority-9 tasks waiting in a queue with max_running 10, delay $QUEUES_PRIO_DELAY_MS ms; the priority-0 task created after them was claim **number $B_RANK** after its creation ($B_BEFORE priority-9 tasks claimed before it, in earlier transactions), $B_WAITED ms after its create; target among the next 10: $( ((B_RANK <= 10)) && echo met || echo MISSED)"
stop_node "$PRIO_PID"
drop_db "$QUEUES_DB"
fi

# ---------------------------------------------------------------------------------------------
# c. max_running across three worker JVMs
# ---------------------------------------------------------------------------------------------
if wants c; then
fresh_db "$QUEUES_DB"
LOAD_C=$(load_now)
log "c: migrating $QUEUES_DB"
TASKS_DB_URL=$(db_url "$QUEUES_DB") java -jar "$BENCH_JAR" migrate >/dev/null 2>&1 || die "migration failed"
sql "INSERT INTO queues (name, max_running) VALUES ('capped', $QUEUES_CAP)" >/dev/null
# The sampler: one psql session, one count every 50 ms (the rows, not the exact counts the cap
# is checked against), each with the database's clock
(
  while [[ ! -f $SCRATCH/stop-sampler ]]; do
    echo "SELECT extract(epoch FROM clock_timestamp()), count(*) FROM tasks WHERE queue = 'capped' AND status = 'processing';"
    sleep 0.05
  done
) | q "$QUEUES_DB" -F ' ' >"$SCRATCH/samples.txt" &
SAMPLER_PID=$!
CAP_PIDS=()
for n in 1 2 3; do
  start_node "capped-$n" "$((QUEUES_PORT + n - 1))" "$QUEUES_DB" TASKS_ROLE=worker \
    TASKS_QUEUES=capped=100 TASKS_PROCESSING_DELAY_MS="$QUEUES_CAP_DELAY_MS" \
    TASKS_SWEEP_INTERVAL_MS=200 TASKS_DB_POOL_SIZE=4 "${QUIET[@]}"
  CAP_PIDS+=("$NODE_PID")
done
# the backlog once all three consume the queue: their sweeps (every 200 ms) find it
sql "INSERT INTO tasks (title, queue) SELECT 'capped ' || g, 'capped' FROM generate_series(1, $QUEUES_CAP_TASKS) g" >/dev/null
wait_queue_final capped 3600
touch "$SCRATCH/stop-sampler"
wait "$SAMPLER_PID" || true
C_SAMPLES=$(wc -l <"$SCRATCH/samples.txt")
C_MAX=$(awk 'NF == 2 && $2 > m { m = $2 } END { print m + 0 }' "$SCRATCH/samples.txt")
C_OVER=$(awk -v c="$QUEUES_CAP" 'NF == 2 && $2 > c { n++ } END { print n + 0 }' "$SCRATCH/samples.txt")
# throughput once all three nodes are up: from the third node's first claim to the last final
read -r C_NODES C_RATE < <(q "$QUEUES_DB" -F ' ' -c "
  WITH first AS (SELECT worker, min(at) AS t FROM task_history WHERE event IN ('claimed', 'recovered') GROUP BY worker),
  s AS (SELECT max(t) AS t0 FROM first)
  SELECT (SELECT count(*) FROM first),
         round(count(*) / extract(epoch FROM max(h.at) - (SELECT t0 FROM s))::numeric, 1)
  FROM task_history h WHERE h.event = 'finished' AND h.at > (SELECT t0 FROM s)")
C_IDEAL=$(awk -v c="$QUEUES_CAP" -v d="$QUEUES_CAP_DELAY_MS" 'BEGIN { printf "%.0f", c * 1000 / d }')
result "c. max_running $QUEUES_CAP across 3 worker JVMs (load $LOAD_C; $C_NODES of them claimed), $QUEUES_CAP_TASKS tasks, delay $QUEUES_CAP_DELAY_MS ms: $C_SAMPLES samples at 50 ms, **max processing $C_MAX**, samples above $QUEUES_CAP: $C_OVER ($( ((C_MAX <= QUEUES_CAP)) && echo met || echo MISSED)); throughput $C_RATE tasks/s against $QUEUES_CAP / delay = $C_IDEAL/s"
for pid in "${CAP_PIDS[@]}"; do stop_node "$pid"; done
drop_db "$QUEUES_DB"
fi

# ---------------------------------------------------------------------------------------------
# d. Flatness: 1,000 named queues, 100 with tasks, against one queue
# ---------------------------------------------------------------------------------------------
if wants d; then
# One worker node, delay 100 ms and one shared bucket of 10,000: the claim loop is the limit. It
# first works through QUEUES_FLAT_WARMUP tasks of a queue of its own (the JIT compiler's part is
# then over) while the named queues are paused; the backlog is inserted, and the queues resumed
# by SQL (its sweeps find the backlog). Throughput = tasks ÷ (first claim → last final). Four shapes of the same backlog, each on a fresh database:
#   one          1 queue, claimed in table order (consecutive rows);
#   interleaved  1 queue whose due times make it claim the table's rows in the order 100
#                interleaved queues are claimed (task g's rank is g mod 100, then g);
#   hundred      100 queues, task g in queue g mod 100: the queues' rows interleaved;
#   named100     as hundred, with only those 100 queues named instead of 1,000.
# hundred ÷ interleaved: the same rows visited the same way, by 100 queues or by one (the cost of
# the number of queues); interleaved ÷ one: where the rows lie; named100 against hundred: the
# 900 named queues without tasks.
flat_run() { # SHAPE
  local shape=$1 nq=100 named=1000 due='now()' pid
  case $shape in
    one) nq=1 ;;
    interleaved)
      nq=1
      due="now() - interval '10 minutes' + ((g % 100) * $QUEUES_FLAT_TASKS + g) * interval '1 microsecond'"
      ;;
    named100) named=100 ;;
  esac
  fresh_db "$QUEUES_DB"
  TASKS_DB_URL=$(db_url "$QUEUES_DB") java -jar "$BENCH_JAR" migrate >/dev/null 2>&1 || die "migration failed"
  # the named queues start paused: the node warms up on a queue of its own first
  sql "INSERT INTO queues (name, paused) SELECT 'q' || lpad(g::text, 4, '0'), true FROM generate_series(0, $((named - 1))) g" >/dev/null
  sql "INSERT INTO tasks (title, queue) SELECT 'warm ' || g, 'warm' FROM generate_series(1, $QUEUES_FLAT_WARMUP) g" >/dev/null
  sql "VACUUM (ANALYZE) tasks" >/dev/null
  start_node "flat-$shape" "$P0" "$QUEUES_DB" TASKS_ROLE=all TASKS_QUEUES='*=10000' \
    TASKS_PROCESSING_DELAY_MS=100 "${QUIET[@]}"
  pid=$NODE_PID
  wait_all_final "$QUEUES_DB" 3600 >/dev/null
  local first
  first=$(sql "SELECT coalesce(max(id), 0) + 1 FROM tasks")
  sql "INSERT INTO tasks (title, queue, due_at) SELECT 'flat ' || g, 'q' || lpad((g % $nq)::text, 4, '0'), $due FROM generate_series(1, $QUEUES_FLAT_TASKS) g" >/dev/null
  sql "VACUUM (ANALYZE) tasks" >/dev/null
  local load
  load=$(load_now)
  # resumed by hand-typed SQL: the node's next sweep finds the backlog
  sql "UPDATE queues SET paused = false, updated_at = now()" >/dev/null
  wait_all_final "$QUEUES_DB" 3600 >/dev/null
  local rate
  rate=$(sql "SELECT round(count(*) FILTER (WHERE event = 'finished') / extract(epoch FROM
    max(at) - min(at) FILTER (WHERE event IN ('claimed', 'recovered')))::numeric)
    FROM task_history WHERE task_id >= $first")
  local api="|"
  if [[ $shape != interleaved ]]; then
    local line
    SERVICE_URL="http://$BENCH_HOST:$P0" run_wrk path.lua 3 16 /api/v1/queues/ >/dev/null
    line=$(SERVICE_URL="http://$BENCH_HOST:$P0" run_wrk path.lua "$QUEUES_WRK_SECONDS" 16 /api/v1/queues/)
    (($(field non2xx "$line") + $(field socket_errors "$line") == 0)) || die "GET /api/v1/queues/ errors: $line"
    api="$(field rps "$line")|$(field p99_ms "$line")"
  fi
  stop_node "$pid"
  drop_db "$QUEUES_DB"
  echo "$rate|$load|$api"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
median() { printf '%s\n' "$@" | percentile 50; }
# QUEUES_FLAT_ROUNDS rounds, each the four shapes in turn.
D_QUEUES=() D_LAYOUT=() D_NAMED=() D_ALL=() A_NAMED=() A_TASKS=()
declare -A RATE LOAD RPS P99
for ((round = 1; round <= QUEUES_FLAT_ROUNDS; round++)); do
  for shape in one interleaved hundred named100; do
    log "d, round $round: $QUEUES_FLAT_TASKS tasks, shape $shape"
    IFS='|' read -r "RATE[$shape]" "LOAD[$shape]" "RPS[$shape]" "P99[$shape]" < <(flat_run "$shape")
  done
  D_QUEUES+=("$(ratio "${RATE[hundred]}" "${RATE[interleaved]}")")
  D_LAYOUT+=("$(ratio "${RATE[interleaved]}" "${RATE[one]}")")
  D_NAMED+=("$(ratio "${RATE[hundred]}" "${RATE[named100]}")")
  D_ALL+=("$(ratio "${RATE[hundred]}" "${RATE[one]}")")
  A_NAMED+=("$(ratio "${RPS[hundred]}" "${RPS[named100]}")")
  A_TASKS+=("$(ratio "${RPS[hundred]}" "${RPS[one]}")")
  result "d, round $round, claim loop in tasks/s (load before each): one ${RATE[one]} (${LOAD[one]}), interleaved ${RATE[interleaved]} (${LOAD[interleaved]}), hundred ${RATE[hundred]} (${LOAD[hundred]}), named100 ${RATE[named100]} (${LOAD[named100]}); hundred ÷ interleaved ${D_QUEUES[-1]}, interleaved ÷ one ${D_LAYOUT[-1]}, hundred ÷ named100 ${D_NAMED[-1]}, hundred ÷ one ${D_ALL[-1]}. GET /api/v1/queues/ req/s (p99 ms): one ${RPS[one]} (${P99[one]}), hundred ${RPS[hundred]} (${P99[hundred]}), named100 ${RPS[named100]} (${P99[named100]}); hundred ÷ named100 ${A_NAMED[-1]}, hundred ÷ one ${A_TASKS[-1]}"
done
result "d. flatness, one worker (TASKS_QUEUES=*=10000, delay 100 ms), $QUEUES_FLAT_TASKS tasks, medians of $QUEUES_FLAT_ROUNDS rounds. Claim loop: 100 queues ÷ 1 queue claiming the same rows in the same order **$(median "${D_QUEUES[@]}")** (the number of queues with tasks); 1,000 named ÷ 100 named **$(median "${D_NAMED[@]}")** (the named queues without tasks); 1 queue claiming the rows interleaved ÷ in table order $(median "${D_LAYOUT[@]}") (where the rows lie); 100 queues ÷ 1 queue in table order $(median "${D_ALL[@]}") (all of it). GET /api/v1/queues/ (16 connections): 1,000 named ÷ 100 named, 100 with tasks, **$(median "${A_NAMED[@]}")**; 100 with tasks ÷ 1, 1,000 named, $(median "${A_TASKS[@]}")"
fi

{
  echo "# Queues under load $BENCH_STAMP$([[ $SMOKE == 1 ]] && echo " (smoke run)")"
  echo
  echo "- $(nproc) cores; jar $BENCH_JAR; PostgreSQL $(q postgres -c 'SHOW server_version'); processing delay $QUEUES_DELAY_MS ms unless said"
  echo "- load average (1 min) before each part is given with it: other processes on the machine count"
  echo
  for line in "${RESULTS[@]}"; do echo "- $line"; done
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT"
