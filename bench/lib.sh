# shellcheck shell=bash
# Shared helpers of the bench scripts (run.sh, list-scale.sh, memory.sh). Source it, don't run it.
#
# Everything here talks to one PostgreSQL server (BENCH_PG_URL) and to one service process that
# the calling script starts itself; nothing is left behind when the calling script installs
# `trap bench_cleanup EXIT`.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

# ---------------------------------------------------------------------------------------------
# Configuration shared by all scripts (each may add its own)
# ---------------------------------------------------------------------------------------------
BENCH_PG_URL=${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432}
# Keep only scheme://user[:pass]@host[:port]: the scripts append the database name themselves.
PG_BASE=$(sed -E 's#^(postgres(ql)?://[^/?]*).*#\1#' <<<"$BENCH_PG_URL")
BENCH_JAR=${BENCH_JAR:-$REPO_DIR/target/task-service.jar}
BENCH_PORT=${BENCH_PORT:-18080}
BENCH_HOST=${BENCH_HOST:-127.0.0.1}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-}
BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$BENCH_DIR/results}
BENCH_STAMP=${BENCH_STAMP:-$(date +%Y%m%d-%H%M%S)}
SERVICE_URL="http://$BENCH_HOST:$BENCH_PORT"

PGBENCH=""    # set by require_tools pgbench
SERVICE_PID=""
SERVICE_LOG=""
DROP_DBS=()   # databases to drop on exit
TMP_DIRS=()   # scratch directories to remove on exit

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

db_url() { printf '%s/%s' "$PG_BASE" "$1"; }

# psql on a database, quiet, unaligned, stop on the first error: `q DB -c "SQL"` or `q DB -f FILE`.
q() {
  local db=$1
  shift
  # client_min_messages: no NOTICE chatter ("database … does not exist, skipping")
  PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -v ON_ERROR_STOP=1 "$(db_url "$db")" "$@"
}

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------

# pgbench is not always on PATH: Debian ships it in the server package under /usr/lib/postgresql.
find_pgbench() {
  if command -v pgbench >/dev/null 2>&1 && pgbench --version >/dev/null 2>&1; then
    command -v pgbench
    return
  fi
  local candidate
  candidate=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $candidate ]] && echo "$candidate"
}

# Checks the tools a script needs; installs the missing ones with apt-get when running as root,
# otherwise says what to install. Usage: require_tools wrk psql pgbench java jcmd python3
require_tools() {
  local missing=() packages=() tool
  for tool in "$@"; do
    case $tool in
      pgbench) PGBENCH=$(find_pgbench) && [[ -n $PGBENCH ]] || { missing+=(pgbench); packages+=(postgresql-contrib); } ;;
      psql) command -v psql >/dev/null || { missing+=(psql); packages+=(postgresql-client); } ;;
      pg_dump) command -v pg_dump >/dev/null || { missing+=(pg_dump); packages+=(postgresql-client); } ;;
      wrk) command -v wrk >/dev/null || { missing+=(wrk); packages+=(wrk); } ;;
      java) command -v java >/dev/null || { missing+=(java); packages+=(openjdk-17-jdk-headless); } ;;
      jcmd) command -v jcmd >/dev/null || { missing+=(jcmd); packages+=(openjdk-17-jdk-headless); } ;;
      python3) command -v python3 >/dev/null || { missing+=(python3); packages+=(python3); } ;;
      *) command -v "$tool" >/dev/null || missing+=("$tool") ;;
    esac
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null && ((${#packages[@]} > 0)); then
    log "installing missing tools (${missing[*]}): apt-get install ${packages[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
    for tool in "${missing[@]}"; do
      if [[ $tool == pgbench ]]; then
        PGBENCH=$(find_pgbench) || die "pgbench still missing after installing postgresql-contrib"
      else
        command -v "$tool" >/dev/null || die "$tool still missing after apt-get install"
      fi
    done
  else
    die "missing tools: ${missing[*]} — install them (Debian/Ubuntu: apt-get install ${packages[*]:-…})"
  fi
}

# ---------------------------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------------------------

# Drops (if present) and creates an empty database; it is dropped again on exit.
fresh_db() {
  local db=$1
  q postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
  q postgres -c "CREATE DATABASE \"$db\""
  DROP_DBS+=("$db")
}

# Drops a database made by fresh_db now rather than on exit.
drop_db() {
  q postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
  local kept=() db
  for db in "${DROP_DBS[@]}"; do [[ $db == "$1" ]] || kept+=("$db"); done
  DROP_DBS=("${kept[@]}")
}

# Copies the schema the service migrated in database $1 into the empty database $2, so that
# pgbench measures exactly the same table and indexes without touching the service's rows.
copy_schema() {
  pg_dump --schema-only --no-owner --no-privileges "$(db_url "$1")" | q "$2" >/dev/null
}

# In database $1, which holds the service's migrated schema (or a copy), creates bare.tasks:
# PostgreSQL's own ceiling for one row. The same columns as public.tasks (types, NOT NULL,
# defaults, its own identity sequence), its primary key and the same indexes, and nothing else:
# no trigger (so no counts), no history, no foreign key, no CHECK constraint, default storage
# parameters (none of tasks' autovacuum settings). What one row costs the database, not what our
# schema costs. Built with LIKE from the migrated table, so it follows the schema of the build.
bare_table() {
  q "$1" <<'SQL'
CREATE SCHEMA bare;
CREATE TABLE bare.tasks (LIKE public.tasks INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED
  INCLUDING INDEXES INCLUDING STORAGE INCLUDING COMPRESSION);
SQL
}

# The statement used everywhere to fill the table: $2 finished tasks (done and failed alternate,
# result set accordingly, timestamps spread over the past) appended to table $3 (default tasks)
# of database $1.
seed_finished() {
  local db=$1 rows=$2 table=${3:-tasks}
  q "$db" <<SQL
INSERT INTO $table (title, status, result, created_at, updated_at)
SELECT 'seed ' || g,
       CASE WHEN g % 2 = 0 THEN 'done' ELSE 'failed' END,
       CASE WHEN g % 2 = 0 THEN 'success' ELSE 'error' END,
       now() - interval '1 second' * ($rows - g),
       now() - interval '1 second' * ($rows - g) + interval '3 seconds'
FROM generate_series(1, $rows) AS g;
VACUUM (ANALYZE) $table;
SQL
}

unfinished_count() {
  q "$1" -c "SELECT count(*) FROM tasks WHERE status IN ('new', 'processing')"
}

# Waits until no task of database $1 is new or processing (at most $2 seconds); prints the seconds
# it took. Fails when the deadline passes: later measurements would compete with the workers.
wait_all_final() {
  local db=$1 limit=${2:-600} start now left
  start=$(date +%s.%N)
  while :; do
    left=$(unfinished_count "$db")
    now=$(date +%s.%N)
    ((left == 0)) && break
    if (($(awk -v a="$now" -v b="$start" -v l="$limit" 'BEGIN{print (a-b > l)}'))); then
      die "$left tasks still unfinished after ${limit}s"
    fi
    sleep 0.1
  done
  awk -v a="$now" -v b="$start" 'BEGIN{printf "%.2f", a-b}'
}

# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/$BENCH_HOST/$BENCH_PORT") 2>/dev/null; }

# Starts the jar on database $1 with the extra environment given as NAME=VALUE arguments, and
# waits until it serves the list endpoint (so the migrations have been applied).
start_service() {
  local db=$1
  shift
  [[ -f $BENCH_JAR ]] || die "no jar at $BENCH_JAR (build it: mvn -B -q package -DskipTests, or set BENCH_JAR)"
  # A process already on the port would be measured instead of ours.
  port_in_use && die "port $BENCH_PORT is already in use (set BENCH_PORT)"
  mkdir -p "$BENCH_RESULTS_DIR"
  SERVICE_LOG="$BENCH_RESULTS_DIR/$BENCH_STAMP-service.log"
  log "starting $BENCH_JAR on port $BENCH_PORT, database $db (log: $SERVICE_LOG)"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  env TASKS_HTTP_PORT="$BENCH_PORT" TASKS_DB_URL="$(db_url "$db")" "$@" \
    java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" >"$SERVICE_LOG" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + ${BENCH_START_TIMEOUT:-120}))
  # /health/ready may not exist in every version; the list answering 200 means migrated and up.
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$SERVICE_URL/api/v1/tasks/?page_size=1" 2>/dev/null) == 200 ]]; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      tail -n 30 "$SERVICE_LOG" >&2
      SERVICE_PID=""
      die "the service exited during start-up (see $SERVICE_LOG)"
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$SERVICE_LOG" >&2; die "the service did not answer within ${BENCH_START_TIMEOUT:-120}s"; }
    sleep 0.2
  done
  log "service up (pid $SERVICE_PID)"
}

stop_service() {
  [[ -n $SERVICE_PID ]] || return 0
  if kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "stopping the service (pid $SERVICE_PID)"
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    # The worker lets held tasks finish for TASKS_SHUTDOWN_GRACE_MS; don't wait forever.
    local i
    for ((i = 0; i < 150; i++)); do
      kill -0 "$SERVICE_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$SERVICE_PID" 2>/dev/null && kill -KILL "$SERVICE_PID" 2>/dev/null || true
  fi
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}

# 1-, 5- and 15-minute load averages: a figure well above 0 before a run means something else
# is using the CPUs, and the results are not comparable.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# the 1-minute load average alone
load_now() { cut -d' ' -f1 /proc/loadavg; }
warn_if_busy() {
  local one
  one=$(load_now)
  if (($(awk -v l="$one" -v c="$(nproc)" 'BEGIN { print (l > c / 2) }'))); then
    log "WARNING: load average $(loadavg) on $(nproc) cores before the run: other processes are busy, results will be noisy"
  fi
}

# CPU ticks (user + system, 1/CLK_TCK s) of a process ($1: its pid) or of one of its threads ($1:
# /proc/<pid>/task/<tid>); 0 once it has gone. The fields are counted after the command name,
# which may hold spaces ("C2 CompilerThre").
proc_ticks() {
  local dir=$1
  [[ $dir == /* ]] || dir=/proc/$dir
  sed 's/^.*) //' "$dir/stat" 2>/dev/null | awk '{print $12 + $13}' | grep . || echo 0
}
# Resident set size of a process in MiB.
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# ---------------------------------------------------------------------------------------------
# Several JVMs side by side (queues.sh, control.sh): each started by start_node, all stopped on exit
# ---------------------------------------------------------------------------------------------
NODE_PIDS=() # every node start_node started and stop_node has not stopped yet

# Starts the jar as node NAME on database DB with its HTTP (or, for a worker, health and metrics)
# port PORT and the extra environment given as NAME=VALUE arguments; waits until /health/ready
# answers 200 (migrations applied, worker consuming). Sets NODE_PID; its log is
# $BENCH_RESULTS_DIR/$BENCH_STAMP-NAME.log.
# Usage: start_node NAME PORT DB [NAME=VALUE …]
start_node() {
  local name=$1 port=$2 db=$3
  shift 3
  [[ -f $BENCH_JAR ]] || die "no jar at $BENCH_JAR (build it: mvn -B -q package -DskipTests, or set BENCH_JAR)"
  (exec 3<>"/dev/tcp/$BENCH_HOST/$port") 2>/dev/null && die "port $port is already in use"
  mkdir -p "$BENCH_RESULTS_DIR"
  local node_log="$BENCH_RESULTS_DIR/$BENCH_STAMP-$name.log"
  log "starting node $name on port $port, database $db (log: $(basename "$node_log"))"
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  env TASKS_HTTP_PORT="$port" TASKS_DB_URL="$(db_url "$db")" TASKS_LOG_FORMAT=text "$@" \
    java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" >"$node_log" 2>&1 &
  NODE_PID=$!
  NODE_PIDS+=("$NODE_PID")
  local deadline=$((SECONDS + ${BENCH_START_TIMEOUT:-120}))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$BENCH_HOST:$port/health/ready" 2>/dev/null) == 200 ]]; do
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      tail -n 30 "$node_log" >&2
      die "node $name exited during start-up (see $node_log)"
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$node_log" >&2; die "node $name was not ready within ${BENCH_START_TIMEOUT:-120}s"; }
    sleep 0.2
  done
  log "node $name up (pid $NODE_PID)"
}

# Stops one node started by start_node (SIGTERM, SIGKILL after 30 s).
stop_node() {
  local pid=$1 i kept=() p
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for p in "${NODE_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  NODE_PIDS=("${kept[@]}")
}

stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do stop_node "$pid"; done
}

# The bulk body of BENCH_* scripts: a JSON array of N task bodies written to FILE; EXTRA is JSON
# text put into every item after its title (e.g. '"queue":"bulk","priority":9').
# Usage: bulk_body FILE N PREFIX [EXTRA]
bulk_body() {
  python3 - "$@" <<'PY'
import json, sys
path, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
extra = sys.argv[4] if len(sys.argv) > 4 else ""
items = ['{"title":%s%s}' % (json.dumps(f"{prefix} {i}"), "," + extra if extra else "") for i in range(n)]
open(path, "w").write("[" + ",".join(items) + "]")
PY
}

# POSTs FILE to /api/v1/tasks/bulk/ of the node on PORT; fails unless the answer is 201.
post_bulk() {
  local port=$1 file=$2 code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$file" "http://$BENCH_HOST:$port/api/v1/tasks/bulk/")
  [[ $code == 201 ]] || die "bulk create on port $port answered $code"
}

# p-th percentile (0-100) of the numbers on stdin, nearest rank; empty when there are none.
percentile() {
  sort -g | awk -v p="$1" '{ v[NR] = $1 } END { if (NR) { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; print v[i] } }'
}

bench_cleanup() {
  local rc=$?
  set +e
  stop_nodes
  stop_service
  local db
  for db in "${DROP_DBS[@]}"; do
    [[ ${BENCH_KEEP_DB:-0} == 1 ]] && { log "keeping database $db (BENCH_KEEP_DB=1)"; continue; }
    q postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 && log "dropped database $db"
  done
  local dir
  for dir in "${TMP_DIRS[@]}"; do rm -rf "$dir"; done
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------------

# Runs wrk with one of the bench/wrk scripts; the script's done() prints a line
#   BENCH rps=… p50_ms=… p99_ms=… requests=… non2xx=… socket_errors=…
# which is returned on stdout (the full wrk output goes to $WRK_LOG when set).
# The scripts build their own paths; the URL only names the server.
# Usage: run_wrk SCRIPT DURATION_S CONNECTIONS [script args…]
run_wrk() {
  local script=$1 duration=$2 conns=$3
  shift 3
  local threads=${BENCH_WRK_THREADS:-2}
  ((conns < threads)) && threads=$conns
  local out
  out=$(wrk -t "$threads" -c "$conns" -d "${duration}s" --timeout 10s --latency \
    -s "$BENCH_DIR/wrk/$script" "$SERVICE_URL" -- "$@")
  [[ -n ${WRK_LOG:-} ]] && printf '%s\n\n' "$out" >>"$WRK_LOG"
  grep '^BENCH ' <<<"$out" || die "wrk printed no result for $script"
}

# Runs pgbench with one of the bench/sql scripts on database DB, prepared statements, and prints
#   BENCH tps=… p50_ms=… p99_ms=… transactions=… failed=…
# Percentiles come from pgbench's per-transaction log (sampled: it can hold millions of lines).
# Usage: run_pgbench DB SCRIPT DURATION_S CLIENTS [-D name=value …]
run_pgbench() {
  local db=$1 script=$2 duration=$3 clients=$4
  shift 4
  local threads=${BENCH_PGBENCH_THREADS:-2}
  ((clients < threads)) && threads=$clients
  local dir out
  dir=$(mktemp -d /tmp/bench-pgbench.XXXXXX)
  TMP_DIRS+=("$dir")
  if ! out=$("$PGBENCH" -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
    -f "$BENCH_DIR/sql/$script" -l --sampling-rate="${BENCH_PGBENCH_SAMPLING:-0.2}" \
    --log-prefix="$dir/tx" "$@" "$(db_url "$db")" 2>&1); then
    printf '%s\n' "$out" >&2
    die "pgbench $script failed"
  fi
  [[ -n ${PGBENCH_LOG:-} ]] && printf '%s\n\n' "$out" >>"$PGBENCH_LOG"
  local tps transactions failed
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' <<<"$out")
  transactions=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
  # log line: client_id transaction_no latency_us script_no epoch_s epoch_us
  cat "$dir"/tx.* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v tx="$transactions" -v failed="${failed:-0}" '
    { v[NR] = $1 }
    END {
      p50 = v[int(NR * 0.50 + 0.999999)]; p99 = v[int(NR * 0.99 + 0.999999)]
      printf "BENCH tps=%s p50_ms=%.3f p99_ms=%.3f transactions=%s failed=%s\n", tps, p50 / 1000, p99 / 1000, tx, failed
    }'
  rm -rf "$dir"
}

# Extracts field NAME from a "BENCH k=v k=v" line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

# Nothing lost, nothing doubled, for the creates of soak/loadgen.py processes whose --out was DIR:
# every key answered 201 has its task in database DB, final, with the outcome its title decides,
# and no task of DB has two 'finished' history rows. Prints "lost=… wrong=… doubled=… keys=…".
# Usage: exactly_once DB DIR
exactly_once() {
  local db=$1 dir=$2
  python3 - "$dir"/keys.*.jsonl <<'PY' >"$dir/ids.csv"
import json, sys
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        print(f'{r["id"] if r["id"] is not None else ""},{len(r["title"])}')
PY
  q "$db" -c "DROP TABLE IF EXISTS answered; CREATE TABLE answered (id bigint, title_len int)"
  q "$db" -c "\\copy answered FROM '$dir/ids.csv' WITH (FORMAT csv)"
  q "$db" -F ' ' -c "SELECT
    'lost=' || count(*) FILTER (WHERE a.id IS NULL OR t.id IS NULL OR t.status NOT IN ('done', 'failed')),
    'wrong=' || count(*) FILTER (WHERE t.status IN ('done', 'failed')
      AND (t.status = 'done') <> (a.title_len % 2 = 0)),
    'doubled=' || (SELECT count(*) FROM (SELECT task_id FROM task_history WHERE event = 'finished'
      GROUP BY task_id HAVING count(*) > 1) d),
    'keys=' || count(*)
    FROM answered a LEFT JOIN tasks t ON t.id = a.id"
}
