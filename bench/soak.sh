#!/usr/bin/env bash
# Soak: one http and two worker JVMs, clustered on 127.0.0.1, under steady creates with
# idempotency keys and client retries (soak/loadgen.py) while faults hit at random moments:
# SIGKILL + restart of a worker, SIGTERM + restart of a worker, SIGKILL + restart of the http node,
# termination of the service's database sessions, a PostgreSQL restart, and the database link cut
# for 10 s (soak/proxy.py sits between the nodes and PostgreSQL). Then soak/report.py proves from
# the database, the clients' records and the logs that every key got exactly one task, no other
# row exists, every task is final with the right outcome and finished once, heap after GC does not
# trend up, and no ERROR line is left unexplained; it prints one table and draws soak.svg.
#
# PostgreSQL is a cluster of the soak's own (initdb in SOAK_PG_DIR, port SOAK_PG_PORT), so that
# restarting it touches nobody else's databases.
#
#   bench/soak.sh                 # 10 minutes (SOAK_SECONDS=600)
#   SOAK_SMOKE=1 bench/soak.sh    # 60 s, the same faults closer together
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-600}
[[ ${SOAK_SMOKE:-0} == 1 ]] && SOAK_SECONDS=60
# creates per second: about half of what this topology sustained on the shared 2-core machine
# the figures in docs/benchmarks.md come from (bench/overload.sh measures the capacity)
SOAK_RATE=${SOAK_RATE:-600}
# client processes sharing the rate (one Python process gets too little CPU on a busy machine)
SOAK_CLIENTS=${SOAK_CLIENTS:-4}
SOAK_PG_DIR=${SOAK_PG_DIR:-/tmp/soak-pg}
SOAK_PG_PORT=${SOAK_PG_PORT:-5499}
SOAK_PROXY_PORT=${SOAK_PROXY_PORT:-5498}
SOAK_HTTP_PORT=${SOAK_HTTP_PORT:-18090}
SOAK_CLUSTER_PORT=${SOAK_CLUSTER_PORT:-5801}
SOAK_LEASE_MS=${SOAK_LEASE_MS:-30000}
SOAK_JAVA_OPTS=${SOAK_JAVA_OPTS:--Xmx256m -XX:+ExitOnOutOfMemoryError}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
OUT="$BENCH_RESULTS_DIR/$BENCH_STAMP-soak"
SOAK_DB=soak

require_tools java python3 curl psql
[[ -f $BENCH_JAR ]] || die "no jar at $BENCH_JAR (mvn -B -q package -DskipTests, or set BENCH_JAR)"
[[ -x $PG_BIN/pg_ctl ]] || die "no pg_ctl under $PG_BIN (set PG_BIN)"
mkdir -p "$OUT"
warn_if_busy

declare -A PIDS=()   # node name -> pid of its current incarnation
PROXY_PID=""
LOADGEN_PID=""
T0=$(date +%s.%N)
elapsed() { awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }'; }
fault() { printf '%s %s\n' "$(elapsed)" "$1" >>"$OUT/faults.log"; log "fault at $(elapsed) s: $1"; }

# ---- PostgreSQL of our own ------------------------------------------------------------------
as_pg() {
  if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
pg_ctl_() { as_pg "'$PG_BIN/pg_ctl' -D '$SOAK_PG_DIR' -w -t 60 $*"; }
start_pg() {
  if [[ ! -f $SOAK_PG_DIR/PG_VERSION ]]; then
    log "initdb $SOAK_PG_DIR"
    mkdir -p "$SOAK_PG_DIR"
    [[ $(id -u) == 0 ]] && chown postgres: "$SOAK_PG_DIR"
    as_pg "'$PG_BIN/initdb' -D '$SOAK_PG_DIR' -U postgres --auth=trust" >/dev/null
  fi
  pg_ctl_ "-l '$SOAK_PG_DIR/server.log' -o '-p $SOAK_PG_PORT -k /tmp -c max_connections=200' start" >/dev/null
}
pq() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SOAK_PG_PORT" -U postgres "$@"; }

# ---- nodes ----------------------------------------------------------------------------------
node_port() {
  case $1 in http) echo "$SOAK_HTTP_PORT" ;; worker-1) echo $((SOAK_HTTP_PORT + 1)) ;; worker-2) echo $((SOAK_HTTP_PORT + 2)) ;; esac
}
start_node() {
  local name=$1 role=worker
  [[ $name == http ]] && role=http
  # shellcheck disable=SC2086 # SOAK_JAVA_OPTS is a list of options
  env TASKS_DB_URL="postgresql://postgres@127.0.0.1:$SOAK_PROXY_PORT/$SOAK_DB" \
    TASKS_ROLE=$role TASKS_HTTP_PORT="$(node_port "$name")" \
    TASKS_CLUSTER=true TASKS_CLUSTER_NAME="soak-$$" TASKS_CLUSTER_HOST=127.0.0.1 \
    TASKS_CLUSTER_PORT="$SOAK_CLUSTER_PORT" TASKS_CLUSTER_MEMBERS=127.0.0.1 \
    TASKS_LEASE_MS="$SOAK_LEASE_MS" TASKS_DB_POOL_SIZE=8 \
    java $SOAK_JAVA_OPTS "-Xlog:gc:file=$OUT/gc-$name-%p.log" -jar "$BENCH_JAR" \
    >>"$OUT/$name.log" 2>&1 &
  PIDS[$name]=$!
  printf '%s %s %s\n' "$(date +%s.%N)" "$name" "${PIDS[$name]}" >>"$OUT/incarnations.log"
}
wait_ready() {
  local name=$1 deadline=$((SECONDS + 120))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(node_port "$name")/health/ready") == 200 ]]; do
    ((SECONDS < deadline)) || die "$name not ready after 120 s (see $OUT/$name.log)"
    sleep 0.5
  done
}
stop_node() { # SIGTERM, wait for the exit (SIGKILL after 60 s)
  local name=$1 pid=${PIDS[$1]:-} i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  PIDS[$name]=""
}
kill_node() {
  local name=$1
  kill -KILL "${PIDS[$name]}" 2>/dev/null || true
  wait "${PIDS[$name]}" 2>/dev/null || true
  PIDS[$name]=""
}

cleanup() {
  local rc=$?
  set +e
  # shellcheck disable=SC2086 # a list of pids
  [[ -n $LOADGEN_PID ]] && kill -TERM $LOADGEN_PID 2>/dev/null
  local name
  for name in "${!PIDS[@]}"; do
    [[ -n ${PIDS[$name]} ]] && kill -KILL "${PIDS[$name]}" 2>/dev/null
  done
  [[ -n $PROXY_PID ]] && kill -TERM "$PROXY_PID" 2>/dev/null
  pg_ctl_ "-m fast stop" >/dev/null 2>&1
  exit "$rc"
}
trap cleanup EXIT

# ---- the faults -----------------------------------------------------------------------------
fault_worker_sigkill() {
  fault "SIGKILL worker-1"
  kill_node worker-1
  sleep 3
  start_node worker-1
}
fault_worker_sigterm() {
  fault "SIGTERM worker-1"
  stop_node worker-1
  start_node worker-1
}
fault_http_sigkill() {
  fault "SIGKILL http"
  kill_node http
  sleep 2
  start_node http
}
fault_terminate_sessions() {
  fault "pg_terminate_backend"
  pq -d postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'task-service'" >/dev/null
}
fault_pg_restart() {
  fault "PostgreSQL restart"
  pg_ctl_ "-m fast restart -o '-p $SOAK_PG_PORT -k /tmp -c max_connections=200'" >/dev/null
}
fault_link_cut() {
  fault "link cut 10 s"
  kill -USR1 "$PROXY_PID"
}

# ---- run ------------------------------------------------------------------------------------
start_pg
pq -d postgres -c "DROP DATABASE IF EXISTS $SOAK_DB WITH (FORCE)" -c "CREATE DATABASE $SOAK_DB"
python3 "$BENCH_DIR/soak/proxy.py" --port "$SOAK_PROXY_PORT" --target-port "$SOAK_PG_PORT" >>"$OUT/proxy.log" 2>&1 &
PROXY_PID=$!
: >"$OUT/faults.log"
for name in http worker-1 worker-2; do start_node "$name"; done
for name in http worker-1 worker-2; do wait_ready "$name"; done
log "3 nodes ready; ${SOAK_SECONDS} s of creates at ${SOAK_RATE}/s with faults; output in $OUT"

T0=$(date +%s.%N)
echo "$T0" >"$OUT/start"
LOADGEN_PIDS=()
for ((c = 0; c < SOAK_CLIENTS; c++)); do
  python3 "$BENCH_DIR/soak/loadgen.py" --port "$SOAK_HTTP_PORT" --start "$T0" --name "$c" \
    --rate "$(awk -v r="$SOAK_RATE" -v n="$SOAK_CLIENTS" 'BEGIN { print r / n }')" --seed "$c" \
    --duration "$SOAK_SECONDS" --connections $((128 / SOAK_CLIENTS)) --out "$OUT" >>"$OUT/loadgen.log" 2>&1 &
  LOADGEN_PIDS+=($!)
done
LOADGEN_PID="${LOADGEN_PIDS[*]}"

# one fault of each kind, in random order, each at a random moment of its own slot between 10 %
# and 85 % of the run
FAULTS=(fault_worker_sigkill fault_worker_sigterm fault_http_sigkill fault_terminate_sessions fault_pg_restart fault_link_cut)
mapfile -t ORDER < <(printf '%s\n' "${FAULTS[@]}" | shuf)
slot=$(awk -v s="$SOAK_SECONDS" -v n="${#ORDER[@]}" 'BEGIN { print s * 0.75 / n }')
for i in "${!ORDER[@]}"; do
  at=$(awk -v s="$SOAK_SECONDS" -v w="$slot" -v i="$i" -v r="$RANDOM" 'BEGIN { printf "%.1f", s * 0.10 + w * i + w * 0.8 * r / 32768 }')
  now=$(elapsed)
  wait_s=$(awk -v a="$at" -v b="$now" 'BEGIN { d = a - b; print (d > 0 ? d : 0) }')
  sleep "$wait_s"
  "${ORDER[$i]}"
done

log "faults done; waiting for the clients (they retry every key until it has its task)"
for pid in "${LOADGEN_PIDS[@]}"; do wait "$pid" || true; done
LOADGEN_PID=""
log "$(grep LOADGEN "$OUT/loadgen.log" | tr '\n' ' ')"
log "waiting until every task is final (a killed worker's tasks wait for their lease)"
deadline=$((SECONDS + SOAK_LEASE_MS / 1000 + 120))
until [[ $(pq -d "$SOAK_DB" -c "SELECT count(*) FROM tasks WHERE status IN ('new', 'processing')") == 0 ]]; do
  ((SECONDS < deadline)) || { log "tasks still unfinished; the report will show them"; break; }
  sleep 1
done
echo "$(date +%s.%N)" >"$OUT/end"
for name in http worker-1 worker-2; do stop_node "$name"; done

python3 "$BENCH_DIR/soak/report.py" --out "$OUT" --psql "psql -X -q -A -t -h 127.0.0.1 -p $SOAK_PG_PORT -U postgres -d $SOAK_DB"
