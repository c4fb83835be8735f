#!/usr/bin/env bash
# Failover by membership (docs/cluster.md#failover-by-membership), measured on separate JVMs: an
# http node and two worker nodes clustered on 127.0.0.1, the default lease (30 s) and delay (3 s),
# under a steady create load (bench/soak/loadgen.py: every create retried with its Idempotency-Key
# until it gets its 201).
#
#   kills  FAILOVER_KILLS times: wait until the second worker holds tasks, SIGKILL it, time from the
#          kill until every task it held is final (from the rows' own timestamps), restart it.
#   churn  for FAILOVER_CHURN_S seconds, SIGKILL a worker every FAILOVER_CHURN_EVERY_S seconds
#          and start it again at once (two churning workers take turns, each living twice the
#          period); then the same per-kill times, and every task's time from creation to final.
#
# Afterwards, for each scenario: nothing lost (every create answered 201 has its task, final, with
# the outcome its title decides) and nothing doubled (no task with two 'finished' history rows).
# Prints one BENCH line per scenario; exits non-zero when a check fails.
#
# Usage: bench/failover.sh   (needs psql, java, curl, python3; a PostgreSQL at BENCH_PG_URL and
#                             the jar: mvn -B -q package -DskipTests)
set -euo pipefail
# a port range of its own by default: other benches use lib.sh's 18080
BENCH_PORT=${BENCH_PORT:-18380}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

FAILOVER_KILLS=${FAILOVER_KILLS:-10}
FAILOVER_RATE=${FAILOVER_RATE:-100}
FAILOVER_CHURN_S=${FAILOVER_CHURN_S:-120}
FAILOVER_CHURN_EVERY_S=${FAILOVER_CHURN_EVERY_S:-10}
FAILOVER_SCENARIOS=${FAILOVER_SCENARIOS:-kills churn}
FAILOVER_DB=${FAILOVER_DB:-bench_failover}
DELAY_MS=3000

require_tools psql java curl python3
warn_if_busy

HTTP_PORT=$BENCH_PORT
SURVIVOR_PORT=$((BENCH_PORT + 1))
VICTIM_PORT=$((BENCH_PORT + 2)) # and the next one, for the second churning worker
CLUSTER_PORT=${FAILOVER_CLUSTER_PORT:-$((BENCH_PORT + 10000))}
CLUSTER=(TASKS_CLUSTER=true "TASKS_CLUSTER_NAME=bench-failover-$$-$RANDOM" TASKS_CLUSTER_HOST=127.0.0.1
  "TASKS_CLUSTER_PORT=$CLUSTER_PORT" "TASKS_CLUSTER_MEMBERS=127.0.0.1:$CLUSTER_PORT"
  TASKS_DB_POOL_SIZE=8)
SMALL_JVM=${FAILOVER_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC}
RESULTS="$BENCH_RESULTS_DIR/$BENCH_STAMP-failover.txt"
LOAD_DIR=""
LOAD_PID=""
VICTIM_PID=""
VICTIM_ID=""
FAILED=0

now_s() { date +%s.%N; }

start_worker() { # NAME PORT
  BENCH_JAVA_OPTS=$SMALL_JVM start_node "$1" "$2" "$FAILOVER_DB" TASKS_ROLE=worker "${CLUSTER[@]}"
}

# The node id a worker logged when its consumer started (and claims with).
node_id() { # NAME
  local file="$BENCH_RESULTS_DIR/$BENCH_STAMP-$1.log" id=""
  for ((i = 0; i < 100; i++)); do
    id=$(grep -o 'node-[0-9a-f]\{8\} consuming' "$file" | tail -n 1 | cut -d' ' -f1 || true)
    [[ -n $id ]] && break
    sleep 0.1
  done
  [[ -n $id ]] || die "no node id in $file"
  echo "$id"
}

# A SIGKILLed node's pid is no longer stopped on exit.
forget_node() { # PID
  local kept=() p
  wait "$1" 2>/dev/null || true
  for p in "${NODE_PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  NODE_PIDS=("${kept[@]}")
}

held_by() { # NODE_ID
  q "$FAILOVER_DB" -c "SELECT count(*) FROM tasks WHERE status = 'processing' AND claimed_by = '$1'"
}

# SIGKILLs the victim and records what it held in kill_N (N = $1) with the kill's time.
kill_victim() { # N
  local n=$1 at
  at=$(now_s)
  kill -KILL "$VICTIM_PID"
  forget_node "$VICTIM_PID"
  # a dead node's claims stay as they are until they are taken over, seconds later
  q "$FAILOVER_DB" -c "CREATE TABLE kill_$n AS SELECT id, $at::float8 AS killed_at FROM tasks
    WHERE status = 'processing' AND claimed_by = '$VICTIM_ID'"
}

# Seconds from kill N to the last of its tasks final; empty until all are.
kill_final_s() { # N
  q "$FAILOVER_DB" -c "SELECT CASE WHEN count(*) FILTER (WHERE t.status IN ('new', 'processing')) = 0
    THEN round((coalesce(max(extract(epoch FROM t.updated_at)), max(k.killed_at)) - max(k.killed_at))::numeric, 2) END
    FROM kill_$1 k JOIN tasks t USING (id)"
}

start_load() { # SECONDS
  LOAD_DIR=$(mktemp -d /tmp/bench-failover.XXXXXX)
  TMP_DIRS+=("$LOAD_DIR")
  python3 "$BENCH_DIR/soak/loadgen.py" --port "$HTTP_PORT" --rate "$FAILOVER_RATE" \
    --duration "$1" --drain 120 --connections 32 --out "$LOAD_DIR" >"$LOAD_DIR/loadgen.out" 2>&1 &
  LOAD_PID=$!
}

stop_load() {
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" || true
  cat "$LOAD_DIR/loadgen.out" >&2
}

check_exactly_once() { exactly_once "$FAILOVER_DB" "$LOAD_DIR"; }

verdict() { # NAME CHECK_LINE
  local lost wrong doubled
  lost=$(field lost "$2") wrong=$(field wrong "$2") doubled=$(field doubled "$2")
  if ((lost > 0 || wrong > 0 || doubled > 0)); then
    log "FAIL $1: $2"
    FAILED=1
  fi
}

wait_held() { # SECONDS
  local deadline=$((SECONDS + $1))
  until (($(held_by "$VICTIM_ID") > 0)); do
    ((SECONDS < deadline)) || die "worker $VICTIM_ID holds nothing after $1 s"
    sleep 0.2
  done
}

# Starts a churning worker in slot SLOT (0 or 1, each its own operator port) without waiting.
launch_worker() { # SLOT NAME
  local node_log="$BENCH_RESULTS_DIR/$BENCH_STAMP-$2.log"
  # shellcheck disable=SC2086 # SMALL_JVM is a list of options
  env TASKS_HTTP_PORT=$((VICTIM_PORT + $1)) TASKS_DB_URL="$(db_url "$FAILOVER_DB")" \
    TASKS_LOG_FORMAT=text TASKS_ROLE=worker "${CLUSTER[@]}" \
    java $SMALL_JVM -jar "$BENCH_JAR" >"$node_log" 2>&1 &
  SLOT_PID[$1]=$!
  SLOT_LOG[$1]=$node_log
  NODE_PIDS+=("$!")
}

restart_victim() { # NAME
  start_worker "$1" "$VICTIM_PORT"
  VICTIM_PID=$NODE_PID
  VICTIM_ID=$(node_id "$1")
}

mkdir -p "$BENCH_RESULTS_DIR"
fresh_db "$FAILOVER_DB"
BENCH_JAVA_OPTS=$SMALL_JVM start_node failover-http "$HTTP_PORT" "$FAILOVER_DB" TASKS_ROLE=http "${CLUSTER[@]}"
start_worker failover-survivor "$SURVIVOR_PORT"
restart_victim failover-victim-0
{
  echo "# bench/failover.sh $BENCH_STAMP: $(nproc) cores, load $(loadavg), $FAILOVER_RATE creates/s,"
  echo "# delay ${DELAY_MS} ms, lease 30000 ms (defaults)"
} >"$RESULTS"

if [[ " $FAILOVER_SCENARIOS " == *" kills "* ]]; then
  log "kills: $FAILOVER_KILLS SIGKILLs of a worker holding tasks, $FAILOVER_RATE creates/s"
  start_load 100000
  times=()
  for ((k = 1; k <= FAILOVER_KILLS; k++)); do
    wait_held 60
    sleep 1 # a few seconds' worth of claims, as under steady load
    kill_victim "k$k"
    held=$(q "$FAILOVER_DB" -c "SELECT count(*) FROM kill_k$k")
    until [[ -n $(kill_final_s "k$k") ]]; do sleep 0.1; done
    t=$(kill_final_s "k$k")
    reasons=$(q "$FAILOVER_DB" -c "SELECT string_agg(reason || '=' || n, ',') FROM (SELECT h.reason,
      count(*) AS n FROM task_history h JOIN kill_k$k k ON k.id = h.task_id
      WHERE h.event = 'recovered' GROUP BY h.reason) r")
    log "kill $k: $held tasks held, all final ${t}s after the kill (recovered: $reasons)"
    echo "kill $k held=$held final_s=$t recovered=$reasons" >>"$RESULTS"
    times+=("$t")
    restart_victim "failover-victim-$k"
  done
  stop_load
  wait_all_final "$FAILOVER_DB" 120 >/dev/null
  check=$(check_exactly_once)
  verdict kills "$check"
  p99=$(printf '%s\n' "${times[@]}" | percentile 99)
  p50=$(printf '%s\n' "${times[@]}" | percentile 50)
  line="BENCH scenario=kills kills=$FAILOVER_KILLS p50_s=$p50 p99_s=$p99 max_s=$p99 $check"
  echo "$line" | tee -a "$RESULTS"
fi

if [[ " $FAILOVER_SCENARIOS " == *" churn "* ]]; then
  # Two churning workers take turns, so that the one killed every FAILOVER_CHURN_EVERY_S seconds
  # has run for twice that (a JVM takes several seconds to start on a small machine) and holds
  # tasks; each is started again at once, without waiting for it to be ready.
  log "churn: a worker killed and restarted every ${FAILOVER_CHURN_EVERY_S}s for ${FAILOVER_CHURN_S}s"
  churn_from=$(q "$FAILOVER_DB" -c "SELECT coalesce(max(id), 0) FROM tasks")
  start_load "$FAILOVER_CHURN_S"
  wait_held 60
  SLOT_PID=("$VICTIM_PID" "")
  SLOT_LOG=("$BENCH_RESULTS_DIR/$BENCH_STAMP-failover-victim-0.log" "")
  [[ " $FAILOVER_SCENARIOS " == *" kills "* ]] &&
    SLOT_LOG[0]="$BENCH_RESULTS_DIR/$BENCH_STAMP-failover-victim-$FAILOVER_KILLS.log"
  launch_worker 1 failover-churn-b-0
  start=$SECONDS
  c=0
  times=()
  while ((SECONDS - start + FAILOVER_CHURN_EVERY_S <= FAILOVER_CHURN_S)); do
    c=$((c + 1))
    next=$((start + c * FAILOVER_CHURN_EVERY_S))
    while ((SECONDS < next)); do sleep 0.1; done
    slot=$(((c + 1) % 2))
    VICTIM_PID=${SLOT_PID[$slot]}
    # its node id once it consumes; a worker still starting holds nothing
    VICTIM_ID=$(grep -o 'node-[0-9a-f]\{8\} consuming' "${SLOT_LOG[$slot]}" | tail -n 1 | cut -d' ' -f1 || true)
    kill_victim "c$c"
    held=$(q "$FAILOVER_DB" -c "SELECT count(*) FROM kill_c$c")
    log "churn kill $c: ${VICTIM_ID:-a worker still starting}, $held tasks held"
    launch_worker "$slot" "failover-churn-$slot-$c"
  done
  stop_load
  wait_all_final "$FAILOVER_DB" 120 >/dev/null
  for ((k = 1; k <= c; k++)); do
    n=$(q "$FAILOVER_DB" -c "SELECT count(*) FROM kill_c$k")
    t=$(kill_final_s "c$k")
    echo "churn kill $k held=$n final_s=$t" >>"$RESULTS"
    ((n > 0)) && times+=("$t")
  done
  check=$(check_exactly_once)
  verdict churn "$check"
  kp99=$(printf '%s\n' "${times[@]}" | percentile 99)
  # every task of the run: creation to final
  read -r tasks p50 p99 tmax < <(q "$FAILOVER_DB" -F ' ' -c "SELECT count(*),
    round(percentile_disc(0.5) WITHIN GROUP (ORDER BY s)::numeric, 2),
    round(percentile_disc(0.99) WITHIN GROUP (ORDER BY s)::numeric, 2), round(max(s)::numeric, 2)
    FROM (SELECT extract(epoch FROM updated_at - created_at) AS s FROM tasks WHERE id > $churn_from) x")
  line="BENCH scenario=churn kills=$c kills_holding_tasks=${#times[@]} kill_to_final_p99_s=$kp99 tasks=$tasks create_to_final_p50_s=$p50 create_to_final_p99_s=$p99 create_to_final_max_s=$tmax $check"
  echo "$line" | tee -a "$RESULTS"
fi

log "results: $RESULTS"
exit "$FAILED"
