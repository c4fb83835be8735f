#!/usr/bin/env bash
# How long a restarted HTTP node takes to answer its first 201 (SPEC §16: within 5 s), from the
# moment `java -jar` is launched until a POST /api/v1/tasks/ is answered 201 (tried every 50 ms),
# on a migrated database, HTTP_START_RUNS times each:
#
#   alone    a clustered http node (TCP discovery naming its own port) with no other member up
#   members  the same, while an http node and a worker node of its cluster run: it joins them
#   single   a node without a cluster (TASKS_CLUSTER=false), for comparison
#
# Also reads, from the node's log, when it had joined the cluster. Prints one BENCH line per case.
# Usage: bench/http-start.sh   (needs psql, java, curl; the jar: mvn -B -q package -DskipTests)
set -euo pipefail
BENCH_PORT=${BENCH_PORT:-18480}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT

HTTP_START_RUNS=${HTTP_START_RUNS:-5}
HTTP_START_DB=${HTTP_START_DB:-bench_http_start}
CLUSTER_PORT=${HTTP_START_CLUSTER_PORT:-$((BENCH_PORT + 10000))}
CLUSTER=(TASKS_CLUSTER=true "TASKS_CLUSTER_NAME=bench-http-start-$$-$RANDOM" TASKS_CLUSTER_HOST=127.0.0.1
  "TASKS_CLUSTER_PORT=$CLUSTER_PORT" "TASKS_CLUSTER_MEMBERS=127.0.0.1:$CLUSTER_PORT")
MEASURED_PORT=$((BENCH_PORT + 9))
RESULTS="$BENCH_RESULTS_DIR/$BENCH_STAMP-http-start.txt"

require_tools psql java curl
warn_if_busy
mkdir -p "$BENCH_RESULTS_DIR"

# Launches an http node with the given environment and prints "first_201_s joined_s" once it has
# answered 201; stops it (SIGTERM) afterwards.
first_201() { # NAME [NAME=VALUE …]
  local name=$1
  shift
  local node_log="$BENCH_RESULTS_DIR/$BENCH_STAMP-$name.log" t0 t1 pid code joined
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  env TASKS_HTTP_PORT="$MEASURED_PORT" TASKS_DB_URL="$(db_url "$HTTP_START_DB")" TASKS_ROLE=http \
    TASKS_LOG_FORMAT=text "$@" java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" >"$node_log" 2>&1 &
  pid=$!
  NODE_PIDS+=("$pid")
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d '{"title":"first"}' "http://$BENCH_HOST:$MEASURED_PORT/api/v1/tasks/" 2>/dev/null || true)
    [[ $code == 201 ]] && break
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$node_log" >&2; die "$name exited"; }
    (($(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN{print (a-b > 60)}'))) && die "$name: no 201 within 60 s"
    sleep 0.05
  done
  t1=$(date +%s.%N)
  # the log's first timestamp is the JVM's first line, the 'Joined cluster' line's when it joined
  joined=$(python3 - "$node_log" "$t0" <<'PY'
import sys, re, datetime
t0 = float(sys.argv[2])
for line in open(sys.argv[1], errors="replace"):
    if "Joined cluster" in line:
        ts = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()
        print(f"{ts - t0:.2f}")
        break
else:
    print("-")
PY
)
  stop_node "$pid"
  echo "$(awk -v a="$t1" -v b="$t0" 'BEGIN{printf "%.2f", a-b}') $joined"
}

run_case() { # CASE [NAME=VALUE …]
  local name=$1
  shift
  local times=() r first joined
  for ((r = 1; r <= HTTP_START_RUNS; r++)); do
    read -r first joined < <(first_201 "http-start-$name-$r" "$@")
    log "$name run $r: first 201 after ${first}s (joined the cluster after ${joined}s)"
    echo "$name run=$r first_201_s=$first joined_s=$joined" >>"$RESULTS"
    times+=("$first")
  done
  local line
  line="BENCH case=$name runs=$HTTP_START_RUNS median_s=$(printf '%s\n' "${times[@]}" | percentile 50) max_s=$(printf '%s\n' "${times[@]}" | percentile 100)"
  echo "$line" | tee -a "$RESULTS"
}

fresh_db "$HTTP_START_DB"
echo "# bench/http-start.sh $BENCH_STAMP: $(nproc) cores, load $(loadavg), JVM options '${BENCH_JAVA_OPTS}'" >"$RESULTS"
# migrate once: every measured start is a restart on a migrated schema
start_node http-start-migrate "$BENCH_PORT" "$HTTP_START_DB" TASKS_ROLE=http
stop_node "$NODE_PID"

run_case single
run_case alone "${CLUSTER[@]}"
start_node http-start-member-http "$BENCH_PORT" "$HTTP_START_DB" TASKS_ROLE=http "${CLUSTER[@]}"
start_node http-start-member-worker "$((BENCH_PORT + 1))" "$HTTP_START_DB" TASKS_ROLE=worker "${CLUSTER[@]}"
run_case members "${CLUSTER[@]}"
log "results: $RESULTS"
