#!/usr/bin/env bash
# A split cluster (issue 22, "Bad input and faults"): two nodes of role `all`, each serving the API
# and processing, clustered over their own loopback addresses (127.0.0.2 and 127.0.0.3), under
# creates on both. Then every packet between them is dropped for SPLIT_CUT_S seconds (iptables),
# while both still reach PostgreSQL; then the link returns. Checks:
#   - each side keeps serving: creates on both nodes answered 201 during the cut, and finished;
#   - nothing lost or doubled (every 201 has its task, final, with its outcome; no task finished
#     twice) and nothing handed back or taken over: both nodes kept beating in the database, so
#     neither side took the other's tasks (no member_left, no lease_expired);
#   - the cluster heals: after the cut the nodes merge into one cluster again.
#
# Runs in a network namespace of its own (unshare -n, as root), so the firewall rules touch
# nothing else on the machine; PostgreSQL is reached through its Unix socket (SPLIT_PG_SOCKET),
# forwarded to 127.0.0.1:5432 inside the namespace.
# Usage: bench/split.sh   (root; needs unshare, ip, iptables, psql, java, curl, python3, the jar)
set -euo pipefail

if [[ -z ${SPLIT_IN_NETNS:-} ]]; then
  [[ $(id -u) == 0 ]] || { echo "bench/split.sh needs root (unshare -n, iptables)" >&2; exit 1; }
  exec unshare -n env SPLIT_IN_NETNS=1 "$0" "$@"
fi

ip link set lo up
SPLIT_PG_SOCKET=${SPLIT_PG_SOCKET:-/var/run/postgresql/.s.PGSQL.5432}
[[ -S $SPLIT_PG_SOCKET ]] || { echo "no PostgreSQL socket at $SPLIT_PG_SOCKET (set SPLIT_PG_SOCKET)" >&2; exit 1; }
# PostgreSQL's Unix socket as 127.0.0.1:5432 of this namespace
python3 - "$SPLIT_PG_SOCKET" <<'PY' &
import asyncio, sys
async def pipe(r, w):
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        w.close()
async def serve(r, w):
    ur, uw = await asyncio.open_unix_connection(sys.argv[1])
    await asyncio.gather(pipe(r, uw), pipe(ur, w))
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 5432)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
PG_PROXY_PID=$!
for ((i = 0; i < 100; i++)); do
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && break
  sleep 0.1
done

export BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432
BENCH_PORT=${BENCH_PORT:-18580}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

SPLIT_CUT_S=${SPLIT_CUT_S:-40}
SPLIT_RATE=${SPLIT_RATE:-50}
SPLIT_DB=${SPLIT_DB:-bench_split}
A_HOST=127.0.0.2
B_HOST=127.0.0.3
A_PORT=$BENCH_PORT
B_PORT=$((BENCH_PORT + 1))
CLUSTER=(TASKS_CLUSTER=true TASKS_CLUSTER_NAME=bench-split TASKS_CLUSTER_PORT=5701
  "TASKS_CLUSTER_MEMBERS=$A_HOST:5701,$B_HOST:5701" TASKS_DB_POOL_SIZE=8)
RESULTS="$BENCH_RESULTS_DIR/$BENCH_STAMP-split.txt"
LOAD_DIR=$(mktemp -d /tmp/bench-split.XXXXXX)
TMP_DIRS+=("$LOAD_DIR")
LOAD_PIDS=()

cleanup() {
  local rc=$? dir
  set +e
  iptables -F INPUT 2>/dev/null
  for pid in "${LOAD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  stop_nodes
  [[ ${BENCH_KEEP_DB:-0} == 1 ]] || q postgres -c "DROP DATABASE IF EXISTS \"$SPLIT_DB\" WITH (FORCE)" >/dev/null 2>&1
  for dir in "${TMP_DIRS[@]}"; do rm -rf "$dir"; done
  kill "$PG_PROXY_PID" 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT

require_tools psql java curl python3 iptables
mkdir -p "$BENCH_RESULTS_DIR"

node_log() { echo "$BENCH_RESULTS_DIR/$BENCH_STAMP-$1.log"; }

# Waits until FILE has a line matching PATTERN after line AFTER (at most LIMIT s); prints the
# seconds it took.
await_line() { # FILE AFTER PATTERN LIMIT
  local start=$SECONDS
  until tail -n +"$(($2 + 1))" "$1" | grep -q "$3"; do
    ((SECONDS - start < $4)) || die "no '$3' in $1 within $4 s"
    sleep 0.2
  done
  echo $((SECONDS - start))
}

# Creates N tasks on PORT one by one; prints how many were answered 201.
create_on() { # PORT N TAG
  local ok=0 i
  for ((i = 0; i < $2; i++)); do
    [[ $(curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"title\":\"$3 $i\"}" "http://$BENCH_HOST:$1/api/v1/tasks/") == 201 ]] && ok=$((ok + 1))
  done
  echo "$ok"
}

fresh_db "$SPLIT_DB"
start_node split-a "$A_PORT" "$SPLIT_DB" TASKS_ROLE=all TASKS_CLUSTER_HOST=$A_HOST "${CLUSTER[@]}"
start_node split-b "$B_PORT" "$SPLIT_DB" TASKS_ROLE=all TASKS_CLUSTER_HOST=$B_HOST "${CLUSTER[@]}"
grep -q "(2 members" "$(node_log split-b)" || die "split-b did not join split-a"
echo "# bench/split.sh $BENCH_STAMP: $(nproc) cores, load $(loadavg), ${SPLIT_RATE} creates/s per node, cut ${SPLIT_CUT_S} s" >"$RESULTS"

for side in a b; do
  port=$A_PORT
  [[ $side == b ]] && port=$B_PORT
  python3 "$BENCH_DIR/soak/loadgen.py" --port "$port" --rate "$SPLIT_RATE" --duration 100000 \
    --drain 120 --connections 16 --name "$side" --out "$LOAD_DIR" >"$LOAD_DIR/loadgen.$side.out" 2>&1 &
  LOAD_PIDS+=("$!")
done
sleep 10

log "cutting the link between $A_HOST and $B_HOST for ${SPLIT_CUT_S}s"
A_MARK=$(wc -l <"$(node_log split-a)")
B_MARK=$(wc -l <"$(node_log split-b)")
iptables -A INPUT -d $A_HOST -j DROP
iptables -A INPUT -d $B_HOST -j DROP
cut_at=$SECONDS
# each side sees the other leave (4 s without a heartbeat) and looks at its heartbeat in vain
left_a=$(await_line "$(node_log split-a)" "$A_MARK" "left; its claims" 30)
left_b=$(await_line "$(node_log split-b)" "$B_MARK" "left; its claims" 30)
log "split seen after ${left_a}s (a) and ${left_b}s (b); creating on both sides"
during_a=$(create_on "$A_PORT" 20 "cut-a")
during_b=$(create_on "$B_PORT" 20 "cut-b")
log "during the cut: $during_a/20 created on a, $during_b/20 on b"
while ((SECONDS - cut_at < SPLIT_CUT_S)); do sleep 0.2; done
iptables -F INPUT
log "link back; waiting for the merge"
A_MARK=$(wc -l <"$(node_log split-a)")
B_MARK=$(wc -l <"$(node_log split-b)")
healed_at=$SECONDS
merged=""
while ((SECONDS - healed_at < 180)); do
  if tail -n +"$((A_MARK + 1))" "$(node_log split-a)" | grep -q "Back in the cluster" ||
    tail -n +"$((B_MARK + 1))" "$(node_log split-b)" | grep -q "Back in the cluster"; then
    merged=$((SECONDS - healed_at))
    break
  fi
  sleep 0.5
done
[[ -n $merged ]] || log "FAIL: no merge within 180 s of the link's return"
log "merged ${merged:-never}s after the link came back"
# one cluster again: a task created on either node is still processed
after_a=$(create_on "$A_PORT" 10 "after-a")
after_b=$(create_on "$B_PORT" 10 "after-b")

for pid in "${LOAD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${LOAD_PIDS[@]}"; do wait "$pid" || true; done
LOAD_PIDS=()
cat "$LOAD_DIR"/loadgen.*.out >&2
wait_all_final "$SPLIT_DB" 120 >/dev/null
check=$(exactly_once "$SPLIT_DB" "$LOAD_DIR")
takeovers=$(q "$SPLIT_DB" -c "SELECT count(*) FROM task_history
  WHERE reason IN ('member_left', 'lease_expired')")
cut_final=$(q "$SPLIT_DB" -c "SELECT count(*) FROM tasks
  WHERE title LIKE 'cut-%' AND status IN ('done', 'failed')")
line="BENCH scenario=split cut_s=$SPLIT_CUT_S split_seen_s=$left_a,$left_b created_during_cut=$during_a,$during_b cut_tasks_final=$cut_final merged_after_s=${merged:-never} created_after=$after_a,$after_b takeovers=$takeovers $check"
echo "$line" | tee -a "$RESULTS"
failed=0
for k in lost wrong doubled; do (($(field "$k" "$line") == 0)) || failed=1; done
((during_a == 20 && during_b == 20 && cut_final == 40 && takeovers == 0)) || failed=1
[[ -n $merged ]] || failed=1
((failed == 0)) || log "FAIL: $line"
log "results: $RESULTS"
exit "$failed"
