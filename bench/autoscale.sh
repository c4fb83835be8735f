#!/usr/bin/env bash
# Autoscaling, shown on one machine (SPEC §16): one HTTP node (TASKS_ROLE=http) and a controller
# (autoscale/controller.py) that applies the Kubernetes HPA formula to the queue's `backlog` from
# GET /api/v1/queues/<q>/ — desired = ceil(current × backlog per node ÷ capacity), one node per
# step up and down, a stabilisation window for scale-in, between AUTOSCALE_MIN and AUTOSCALE_MAX —
# starting and stopping worker JVMs (TASKS_ROLE=worker, TASKS_QUEUES=<q>=<capacity>, clustered
# with the HTTP node) under a load that rises, holds and falls. Scale-in is SIGTERM.
#
# Samples once a second (samples.csv), then autoscale/report.py checks from the database that
# every task is final with exactly one 'finished' history row and that the workers stopped by
# SIGTERM lost nothing, prints throughput per number of nodes and draws autoscale.svg (with
# autoscale.html around it). Results in $BENCH_RESULTS_DIR/<stamp>-autoscale/.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMOKE=${AUTOSCALE_SMOKE:-${BENCH_SMOKE:-0}}
AUTOSCALE_PORT=${AUTOSCALE_PORT:-18470}          # HTTP node; workers take the next ports
AUTOSCALE_CLUSTER_PORT=${AUTOSCALE_CLUSTER_PORT:-5961}
AUTOSCALE_DB=${AUTOSCALE_DB:-tasks_bench_autoscale}
AUTOSCALE_QUEUE=${AUTOSCALE_QUEUE:-autoscale}
AUTOSCALE_CAPACITY=${AUTOSCALE_CAPACITY:-200}     # TASKS_QUEUES=<q>=<capacity>, the HPA target
AUTOSCALE_DELAY_MS=${AUTOSCALE_DELAY_MS:-1000}    # TASKS_PROCESSING_DELAY_MS of the workers
AUTOSCALE_GRACE_MS=${AUTOSCALE_GRACE_MS:-10000}   # TASKS_SHUTDOWN_GRACE_MS of the workers
AUTOSCALE_MIN=${AUTOSCALE_MIN:-1}
AUTOSCALE_JAVA_OPTS=${AUTOSCALE_JAVA_OPTS:--Xmx256m -XX:+ExitOnOutOfMemoryError}
if [[ $SMOKE == 1 ]]; then
  AUTOSCALE_MAX=${AUTOSCALE_MAX:-3}
  AUTOSCALE_PEAK=${AUTOSCALE_PEAK:-300}
  AUTOSCALE_PHASES=${AUTOSCALE_PHASES:-"15 20 15 40"}  # ramp, hold, fall, most seconds of tail
  AUTOSCALE_CONTROL=${AUTOSCALE_CONTROL:-"2 6 8 12"}   # period, up every, down every, window (s)
else
  AUTOSCALE_MAX=${AUTOSCALE_MAX:-5}
  AUTOSCALE_PEAK=${AUTOSCALE_PEAK:-1100}
  AUTOSCALE_PHASES=${AUTOSCALE_PHASES:-"60 75 45 120"}
  AUTOSCALE_CONTROL=${AUTOSCALE_CONTROL:-"2 10 10 30"}
fi
read -r RAMP HOLD FALL TAIL <<<"$AUTOSCALE_PHASES"
read -r PERIOD UP_EVERY DOWN_EVERY WINDOW <<<"$AUTOSCALE_CONTROL"
OUT="$BENCH_RESULTS_DIR/$BENCH_STAMP-autoscale"
CONTROLLER_PID=""

require_tools java python3 curl psql
[[ -f $BENCH_JAR ]] || die "no jar at $BENCH_JAR (mvn -B -q package -DskipTests, or set BENCH_JAR)"
mkdir -p "$OUT"
for ((p = AUTOSCALE_PORT; p <= AUTOSCALE_PORT + AUTOSCALE_MAX + 1; p++)); do
  (exec 3<>"/dev/tcp/$BENCH_HOST/$p") 2>/dev/null && die "port $p is already in use (set AUTOSCALE_PORT)"
done
warn_if_busy
LOAD_BEFORE=$(loadavg)

cleanup() {
  local rc=$?
  set +e
  # the controller stops its workers on SIGTERM; any it left are stopped by their pid
  if [[ -n $CONTROLLER_PID ]] && kill -0 "$CONTROLLER_PID" 2>/dev/null; then
    kill -TERM "$CONTROLLER_PID"
    wait "$CONTROLLER_PID"
  fi
  local pid
  if [[ -f $OUT/pids ]]; then
    while read -r pid; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"; done <"$OUT/pids"
  fi
  (exit "$rc")
  bench_cleanup
}
trap cleanup EXIT

CLUSTER=(TASKS_CLUSTER=true TASKS_CLUSTER_NAME="autoscale-$$" TASKS_CLUSTER_HOST=127.0.0.1
  TASKS_CLUSTER_PORT="$AUTOSCALE_CLUSTER_PORT" TASKS_CLUSTER_MEMBERS=127.0.0.1)
fresh_db "$AUTOSCALE_DB"
BENCH_JAVA_OPTS=$AUTOSCALE_JAVA_OPTS BENCH_RESULTS_DIR=$OUT BENCH_STAMP=node \
  start_node http "$AUTOSCALE_PORT" "$AUTOSCALE_DB" TASKS_ROLE=http "${CLUSTER[@]}"

log "load 0 -> $AUTOSCALE_PEAK -> 0 tasks/s over ${RAMP}+${HOLD}+${FALL} s into queue $AUTOSCALE_QUEUE;" \
  "workers $AUTOSCALE_MIN..$AUTOSCALE_MAX, each $AUTOSCALE_QUEUE=$AUTOSCALE_CAPACITY, delay $AUTOSCALE_DELAY_MS ms"
PSQL="psql -X -q -A -t $(db_url "$AUTOSCALE_DB")"
CLUSTER_ENV=()
for kv in "${CLUSTER[@]}"; do CLUSTER_ENV+=(--env "$kv"); done
python3 "$BENCH_DIR/autoscale/controller.py" --out "$OUT" --port "$AUTOSCALE_PORT" --jar "$BENCH_JAR" \
  --db-url "$(db_url "$AUTOSCALE_DB")" --psql "$PSQL" --queue "$AUTOSCALE_QUEUE" \
  --capacity "$AUTOSCALE_CAPACITY" --delay-ms "$AUTOSCALE_DELAY_MS" --grace-ms "$AUTOSCALE_GRACE_MS" \
  --min "$AUTOSCALE_MIN" --max "$AUTOSCALE_MAX" --period "$PERIOD" --up-every "$UP_EVERY" \
  --down-every "$DOWN_EVERY" --window "$WINDOW" --peak "$AUTOSCALE_PEAK" --ramp "$RAMP" --hold "$HOLD" \
  --fall "$FALL" --tail "$TAIL" --java-opts "$AUTOSCALE_JAVA_OPTS" "${CLUSTER_ENV[@]}" \
  &
CONTROLLER_PID=$!
wait "$CONTROLLER_PID" || die "the controller failed (see $OUT/controller.log)"
CONTROLLER_PID=""
LOAD_AFTER=$(loadavg)

RC=0
python3 "$BENCH_DIR/autoscale/report.py" --csv "$OUT/samples.csv" --out "$OUT" \
  --capacity "$AUTOSCALE_CAPACITY" --delay-ms "$AUTOSCALE_DELAY_MS" --workers "$OUT/workers.json" \
  --load "$OUT/load.json" --psql "$PSQL" --queue "$AUTOSCALE_QUEUE" \
  --title "task-service autoscaling: 1 HTTP node, $AUTOSCALE_MIN–$AUTOSCALE_MAX workers of $AUTOSCALE_CAPACITY, delay $AUTOSCALE_DELAY_MS ms, peak $AUTOSCALE_PEAK tasks/s" || RC=$?
{
  echo
  echo "- machine: $(nproc) cores; load average before the run $LOAD_BEFORE, at its end $LOAD_AFTER"
  echo "- PostgreSQL: $(q postgres -c 'SHOW server_version'), shared_buffers $(q postgres -c 'SHOW shared_buffers'), synchronous_commit $(q postgres -c 'SHOW synchronous_commit')"
  echo "- database at the end: xact_commit $(q postgres -c "SELECT xact_commit FROM pg_stat_database WHERE datname = '$AUTOSCALE_DB'")"
} | tee -a "$OUT/report.md"
log "results: $OUT (report.md, samples.csv, autoscale.svg, autoscale.html)"
exit "$RC"
