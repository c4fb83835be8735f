#!/usr/bin/env bash
# Watcher scale and cost: one node (TASKS_ROLE=all) on a fresh database, thousands of unfiltered
# event streams and waiting long polls on it, changes at a fixed rate. The load generator is
# bench/watch/WatchLoad.java (JDK only, run from source); each phase is one run of it:
#   1. warm-up: WATCH_WARMUP_SECONDS of changes with 200 streams (JIT);
#   2. baseline: no watcher, WATCH_RATE changes/s for WATCH_BASE_SECONDS: the node's CPU per second,
#      heap after a full GC and RSS;
#   3. the scale run: WATCH_STREAMS streams + WATCH_POLLS long polls (each on a task held in
#      'processing' by SQL with a lease of a day, so it never finishes; sent again every
#      WATCH_POLL_WAIT s), WATCH_RATE changes/s for WATCH_SECONDS: every stream must receive every
#      change, no long poll may be answered early; heap, RSS and CPU against the baseline give the
#      memory per watcher and the CPU per change;
#   4. WATCH_FAST_STREAMS streams at WATCH_FAST_RATE changes/s for WATCH_FAST_SECONDS (§13: p99
#      from commit to bytes within 1 s at 1,000 changes/s);
#   5. WATCH_STREAMS streams at each rate of WATCH_STEP_RATES above the highest one sustained so
#      far (rates below WATCH_RATE are only tried when the scale run failed), for
#      WATCH_STEP_SECONDS each, until a step fails: a stream missed a change or was dropped, p99
#      above 1 s, or the creates could not keep the rate (then the limit is the create path, not
#      the streams).
# A change is one status change (one event per stream): the generator creates WATCH_RATE / 3 tasks
# a second, each going new → processing → done/failed within WATCH_DELAY_MS.
# Latency is measured at the client: now minus the event's updated_at (the database's clock, same
# machine) when its bytes arrive, on WATCH_PROBES streams read by a thread of their own (the other
# streams are counted, not timed: on shared cores their reader may lag behind bytes that have
# already left the node). It bounds "commit to the bytes leaving the node" from above.
# Prints one table and writes it to bench/results/<timestamp>-watch.md; the generator's raw
# output goes next to it. WATCH_SMOKE=1: 200 streams + 200 polls and short phases (~1.5 min).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_WATCH_DB:-tasks_bench_watch}
WATCH_STREAMS=${WATCH_STREAMS:-2000}
WATCH_POLLS=${WATCH_POLLS:-2000}
WATCH_POLL_WAIT=${WATCH_POLL_WAIT:-30}
WATCH_RATE=${WATCH_RATE:-200}
WATCH_SECONDS=${WATCH_SECONDS:-60}
WATCH_BASE_SECONDS=${WATCH_BASE_SECONDS:-20}
WATCH_WARMUP_SECONDS=${WATCH_WARMUP_SECONDS:-15}
WATCH_FAST_RATE=${WATCH_FAST_RATE:-1000}
WATCH_FAST_SECONDS=${WATCH_FAST_SECONDS:-30}
WATCH_FAST_STREAMS=${WATCH_FAST_STREAMS:-$WATCH_STREAMS}
WATCH_STEP_RATES=${WATCH_STEP_RATES:-50 100 500 1000 1500 2000 3000}
WATCH_STEP_SECONDS=${WATCH_STEP_SECONDS:-20}
WATCH_DELAY_MS=${WATCH_DELAY_MS:-200}
WATCH_LOAD_OPTS=${WATCH_LOAD_OPTS:--Xmx512m}
WATCH_PROBES=${WATCH_PROBES:-50}
if [[ ${WATCH_SMOKE:-0} == 1 ]]; then
  WATCH_STREAMS=200 WATCH_POLLS=200 WATCH_FAST_STREAMS=200 WATCH_POLL_WAIT=5
  WATCH_SECONDS=10 WATCH_BASE_SECONDS=5 WATCH_WARMUP_SECONDS=5 WATCH_FAST_SECONDS=5
  WATCH_STEP_RATES=2000 WATCH_STEP_SECONDS=5
fi

require_tools psql java jcmd curl
warn_if_busy
LOAD_START=$(loadavg)
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-watch.md"
RAW="$BENCH_RESULTS_DIR/$BENCH_STAMP-watch-raw.log"
: >"$RAW"
trap bench_cleanup EXIT

# thousands of sockets in the generator (the JVM of the service raises its own limit)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
((WATCH_STREAMS + WATCH_POLLS + 100 < $(ulimit -n))) ||
  die "open files limit $(ulimit -n) is too low for $WATCH_STREAMS streams + $WATCH_POLLS long polls"

fresh_db "$BENCH_DB"
start_service "$BENCH_DB" TASKS_ROLE=all TASKS_PROCESSING_DELAY_MS="$WATCH_DELAY_MS" \
  TASKS_SHUTDOWN_GRACE_MS=0

# The long polls' tasks: held in 'processing' by a worker that does not exist, lease of a day. Typed
# in by SQL, they make no events; no sweep takes them over during the run.
HOLD=$((WATCH_POLLS > 0 ? WATCH_POLLS : 1))
read -r HOLD_FIRST HOLD_LAST < <(q "$BENCH_DB" -F ' ' -c "
  WITH held AS (
    INSERT INTO tasks (title, status, claim_token, claimed_by, lease_until)
    SELECT 'held ' || g, 'processing', gen_random_uuid(), 'bench-watch-hold', now() + interval '1 day'
    FROM generate_series(1, $HOLD) AS g RETURNING id)
  SELECT min(id), max(id) FROM held")

# Runs the generator; its "WATCH k=v" lines are returned as one "k=v k=v …" line.
load() { # NAME STREAMS POLLS RATE SECONDS [extra options…]
  local name=$1 streams=$2 polls=$3 rate=$4 seconds=$5 out
  shift 5
  log "$name: $streams streams, $polls long polls, $rate changes/s for ${seconds}s"
  echo "## $name" >>"$RAW"
  # shellcheck disable=SC2086 # WATCH_LOAD_OPTS is a list of options
  out=$(java $WATCH_LOAD_OPTS "$BENCH_DIR/watch/WatchLoad.java" --url "$SERVICE_URL" \
    --streams "$streams" --polls "$polls" --poll-first "$HOLD_FIRST" --poll-wait "$WATCH_POLL_WAIT" \
    --rate "$rate" --seconds "$seconds" --pid "$SERVICE_PID" --clk-tck "$(getconf CLK_TCK)" \
    --settle $((WATCH_DELAY_MS / 1000 + 30)) --probes "$WATCH_PROBES" "$@" 2>>"$RAW") || die "the generator failed (see $RAW)"
  printf '%s\n\n' "$out" >>"$RAW"
  sed -n 's/^WATCH //p' <<<"$out" | tr '\n' ' '
}

# Every task of a run final (the held ones excepted), so that the next run starts from quiet.
wait_quiet() {
  local i
  for ((i = 0; i < 600; i++)); do
    (($(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE status IN ('new', 'processing') AND id > $HOLD_LAST") == 0)) && return
    sleep 0.1
  done
  die "tasks still unfinished 60 s after a run"
}

# The history rows of a run's tasks that are status changes (TaskHistory.STREAMED): what every
# stream should have received. (3 per task unless a task was recovered; the generator's own
# expectation is 3 per task whose create it saw answered.)
history_rows() { # LINE
  local first last
  first=$(field first_id "$1") last=$(field last_id "$1")
  ((first > 0)) || { echo 0; return; }
  q "$BENCH_DB" -c "SELECT count(*) FROM task_history WHERE task_id BETWEEN $first AND $last
    AND event <> 'handed_back' AND coalesce(reason, '') NOT IN ('lease_expired', 'member_left')"
}

# From "6000x1998,5997x2": streams below EXPECTED.
streams_below() { # LINE EXPECTED
  tr ',' '\n' <<<"$(field stream_counts "$1")" |
    awk -F x -v e="$2" '$1 ~ /^[0-9]+$/ && $1 < e { n += $2 } END { print n + 0 }'
}

declare -A EXPECTED
run_phase() { # KEY NAME STREAMS POLLS RATE SECONDS [options…]
  local key=$1
  shift
  local line
  line=$(load "$@")
  wait_quiet
  EXPECTED[$key]=$(history_rows "$line")
  printf -v "R_$key" '%s' "$line"
}

run_phase warm "warm-up" 200 0 "$WATCH_RATE" "$WATCH_WARMUP_SECONDS"
run_phase base "baseline" 0 0 "$WATCH_RATE" "$WATCH_BASE_SECONDS" --memory
run_phase main "scale" "$WATCH_STREAMS" "$WATCH_POLLS" "$WATCH_RATE" "$WATCH_SECONDS" --memory
# the baseline again once every watcher has gone: the JIT is warmer than before (CPU), and the heap
# should be back where it was (nothing kept per watcher that has left)
run_phase after "baseline after" 0 0 "$WATCH_RATE" "$WATCH_BASE_SECONDS" --memory
run_phase fast "fast" "$WATCH_FAST_STREAMS" 0 "$WATCH_FAST_RATE" "$WATCH_FAST_SECONDS"

# A run sustained its rate when every stream got every change, none was dropped, p99 ≤ 1 s and the
# creates made at least 95 % of the rate asked.
verdict() { # KEY TARGET_RATE
  local line=${!1} expected=${EXPECTED[${1#R_}]}
  if (($(field events "$line") == 0)); then
    echo "—"
  elif (($(streams_below "$line" "$expected") > 0 || $(field streams_lost "$line") > 0 ||
    $(field dropped_during "$line") > 0)); then
    echo "streams fell behind"
  elif (($(awk -v p="$(field latency_p99_ms "$line")" 'BEGIN { print (p > 1000) }'))); then
    echo "p99 above 1 s"
  elif (($(awk -v m="$(field changes_per_s "$line")" -v r="$2" 'BEGIN { print (m < 0.95 * r) }'))); then
    echo "creates could not keep the rate"
  else
    echo "sustained"
  fi
}

STEPS=()
BEST=""
[[ $(verdict R_main "$WATCH_RATE") == sustained ]] && BEST=$WATCH_RATE
if ((WATCH_FAST_STREAMS == WATCH_STREAMS)) && [[ $(verdict R_fast "$WATCH_FAST_RATE") == sustained ]]; then
  BEST=$WATCH_FAST_RATE
fi
STEP_LIMIT=""
for rate in $WATCH_STEP_RATES; do
  ((rate > ${BEST:-0})) || continue
  run_phase "step$rate" "step $rate/s" "$WATCH_STREAMS" 0 "$rate" "$WATCH_STEP_SECONDS"
  STEPS+=("$rate")
  v=$(verdict "R_step$rate" "$rate")
  if [[ $v != sustained ]]; then
    STEP_LIMIT="$rate changes/s: $v"
    break
  fi
  BEST=$rate
done

# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------
num() { awk -v x="$1" 'BEGIN { printf "%\047.0f", x }'; }
row() { # KEY LABEL STREAMS POLLS TARGET
  local line=${!1} expected=${EXPECTED[${1#R_}]} polls="" events lat
  if (($3 > 0)); then
    events="$(num "$expected") ($(num "$(field streams_min "$line")")–$(num "$(field streams_max "$line")"))"
    lat="$(field latency_p50_ms "$line") / $(field latency_p99_ms "$line") / $(field latency_max_ms "$line")"
  else
    events="— ($(num "$expected") changes)"
    lat="—"
  fi
  if (($4 > 0)); then
    polls="$(field polls_early "$line") / $(field polls_timed_out "$line") / $(($(field poll_errors "$line") + $(field polls_lost "$line")))"
  else
    polls="—"
  fi
  printf '| %s | %s / %s | %s → %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$2" "$(num "$3")" "$(num "$4")" "$(num "$5")" "$(field changes_per_s "$line")" "$events" \
    "$(streams_below "$line" "$expected")" \
    "$(dropped "$line")" "$lat" "$polls" "$(field cpu_per_s "$line")" "$(verdict "$1" "$5")"
}
# Streams closed under the client; the node's counter of slow streams closed says the same from
# its side (the larger of the two, not their sum: each dropped stream shows in both)
dropped() {
  local node client
  node=$(field dropped_during "$1") client=$(field streams_lost "$1")
  echo $((node > client ? node : client))
}
per_watcher_kib() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) * 1024 / n }'; }
WATCHERS=$((WATCH_STREAMS + WATCH_POLLS))
# against the lower of the two baselines (the JIT may still be compiling during the first)
BASE_CPU=$(awk -v a="$(field cpu_per_s "$R_base")" -v b="$(field cpu_per_s "$R_after")" 'BEGIN { printf "%.4f", (a < b ? a : b) }')
CPU_PER_CHANGE_MS=$(awk -v a="$BASE_CPU" -v b="$(field cpu_per_s "$R_main")" \
  -v r="$(field changes_per_s "$R_main")" 'BEGIN { printf "%.3f", (b - a) / r * 1000 }')
CPU_PER_EVENT_US=$(awk -v ms="$CPU_PER_CHANGE_MS" -v s="$WATCH_STREAMS" 'BEGIN { printf "%.2f", (s > 0 ? ms * 1000 / s : 0) }')

TABLE=$(
  echo "| Run | streams / long polls | changes/s asked → made | events per stream: expected (min–max received) | streams that missed any | streams dropped | latency p50 / p99 / max ms | long polls early / at timeout / errors | node CPU s/s | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  row R_base "baseline (${WATCH_BASE_SECONDS} s)" 0 0 "$WATCH_RATE"
  row R_main "scale (${WATCH_SECONDS} s)" "$WATCH_STREAMS" "$WATCH_POLLS" "$WATCH_RATE"
  row R_after "baseline after (${WATCH_BASE_SECONDS} s)" 0 0 "$WATCH_RATE"
  row R_fast "fast (${WATCH_FAST_SECONDS} s)" "$WATCH_FAST_STREAMS" 0 "$WATCH_FAST_RATE"
  for rate in "${STEPS[@]}"; do
    row "R_step$rate" "step (${WATCH_STEP_SECONDS} s)" "$WATCH_STREAMS" 0 "$rate"
  done
)

{
  echo "# Watching tasks $BENCH_STAMP$([[ ${WATCH_SMOKE:-0} == 1 ]] && echo " (smoke run)")"
  echo
  echo "- $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(java -version 2>&1 | sed -n 2p)"
  echo "- PostgreSQL: $(q postgres -c 'SELECT version()' | cut -d, -f1); jar: $BENCH_JAR${BENCH_JAVA_OPTS:+; java options: $BENCH_JAVA_OPTS}"
  echo "- one node, TASKS_ROLE=all, TASKS_PROCESSING_DELAY_MS=$WATCH_DELAY_MS; long polls ?wait=$WATCH_POLL_WAIT on tasks held in processing; load average before: $LOAD_START"
  echo
  echo "$TABLE"
  echo
  echo "- **Highest rate ${WATCH_STREAMS} streams sustained**: ${BEST:-none} changes/s${STEP_LIMIT:+ (next step, $STEP_LIMIT)}."
  echo "- **Memory per watcher**: heap after a full GC $(field heap_after_gc_mib "$R_base") MiB with no watcher," \
    "$(field heap_after_gc_mib "$R_main") MiB with $WATCH_STREAMS streams + $WATCH_POLLS long polls open" \
    "($(field heap_after_gc_mib "$R_after") MiB once they had closed):" \
    "**$(per_watcher_kib "$(field heap_after_gc_mib "$R_base")" "$(field heap_after_gc_mib "$R_main")" "$WATCHERS") KiB per watcher**;" \
    "RSS $(field rss_mib "$R_base") → $(field rss_mib "$R_main") MiB ($(per_watcher_kib "$(field rss_mib "$R_base")" "$(field rss_mib "$R_main")" "$WATCHERS") KiB per watcher)."
  echo "- **CPU per change**: the node's process CPU $BASE_CPU s/s without watchers (the lower of $(field cpu_per_s "$R_base") before and $(field cpu_per_s "$R_after") after) and" \
    "$(field cpu_per_s "$R_main") s/s with them, at $(field changes_per_s "$R_main") changes/s:" \
    "**$CPU_PER_CHANGE_MS ms of CPU more per change** ($CPU_PER_EVENT_US µs per change per stream)."
  echo "- Long polls answered early are wrong (their tasks never finish); \"at timeout\" are the waits that ran out" \
    "and were sent again. Streams dropped = the larger of tasks_event_streams_dropped_total during the run and the streams the client saw closed."
  echo "- Latency: now − the event's updated_at when its bytes arrive at the client, on $WATCH_PROBES streams read by a thread of" \
    "their own (database clock, same machine; updated_at is taken before commit): an upper bound of commit → bytes leaving the node." \
    "Client, node and PostgreSQL share the $(nproc) cores."
  echo "- Raw generator output: $(basename "$RAW"); service log: $(basename "$SERVICE_LOG")."
} >"$REPORT"
echo
cat "$REPORT"
echo
log "written to $REPORT"
