#!/usr/bin/env bash
# One node driven past its capacity. Measures the POST capacity (wrk, 32 connections), then
# offers 2x, 5x and 20x that rate for OVERLOAD_DURATION seconds each with thousands of paced
# connections (wrk/post-paced.lua: every connection waits OVERLOAD_THINK_MS between requests),
# and samples once a second what piles up inside the node: requests in progress, the connection
# pool's wait queue, heap in use, and how long /health/live takes to answer. Prints one table.
#
# The node runs in a small heap (OVERLOAD_JAVA_OPTS, default -Xmx256m) with role all, so that the
# workers' processing is part of the load, as in bench/run.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${OVERLOAD_DB:-tasks_bench_overload}
DURATION=${OVERLOAD_DURATION:-30}
THINK_MS=${OVERLOAD_THINK_MS:-50}
FACTORS=${OVERLOAD_FACTORS:-2 5 20}
BENCH_JAVA_OPTS=${OVERLOAD_JAVA_OPTS:--Xmx256m -XX:+ExitOnOutOfMemoryError}
if [[ ${BENCH_SMOKE:-0} == 1 ]]; then
  DURATION=5
  FACTORS="2"
fi

require_tools wrk psql java curl
warn_if_busy
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-overload.md"
trap bench_cleanup EXIT

fresh_db "$BENCH_DB"
start_service "$BENCH_DB" "$@"

# One sample: "pending pool_waiting heap_mib live_ms live_status bus_pending" from /metrics and /health/live. A metric the
# build does not have reads as "-".
sample() {
  local scrape live
  scrape=$(curl -s --max-time 5 "$SERVICE_URL/metrics" || true)
  live=$(curl -s -o /dev/null --max-time 10 -w '%{time_total} %{http_code}' "$SERVICE_URL/health/live" || echo "10 000")
  # label values may hold spaces: the value is the last field
  awk -v live="$live" '
    /^tasks_api_pending / { pending = $NF }
    /^vertx_pool_queue_pending\{.*pool_type="sql"/ { waiting += $NF }
    /^vertx_eventbus_pending\{/ { bus += $NF }
    /^jvm_memory_used_bytes\{.*area="heap"/ { heap += $NF }
    END {
      split(live, l, " ")
      printf "%s %s %.0f %.0f %s %.0f\n", (pending == "" ? "-" : pending), (waiting == "" ? "-" : waiting),
        heap / 1048576, l[1] * 1000, l[2], bus
    }' <<<"$scrape"
}

# Samples every second into $1 until the file $2 exists.
sampler() {
  local out=$1 stop=$2
  while [[ ! -e $stop ]]; do
    sample >>"$out"
    sleep 1
  done
}

# max and median of column $2 of file $1 ("-" when the column has no numbers)
col_max() { awk -v c="$2" '$c != "-" { if ($c > m || m == "") m = $c } END { print (m == "" ? "-" : m) }' "$1"; }

log "capacity: POST with 32 connections, 5 s warm-up, ${DURATION} s"
run_wrk post.lua 5 32 >/dev/null
CAPACITY_LINE=$(run_wrk post.lua "$DURATION" 32)
CAPACITY=$(field rps "$CAPACITY_LINE")
log "capacity: $CAPACITY req/s ($CAPACITY_LINE)"

ROWS=()
for factor in $FACTORS; do
  # N connections each offering 1000/THINK_MS requests per second
  conns=$(awk -v c="$CAPACITY" -v f="$factor" -v t="$THINK_MS" 'BEGIN { printf "%d", c * f * t / 1000 }')
  ((conns < 2)) && conns=2
  samples=$(mktemp /tmp/overload-samples.XXXXXX)
  stop=$(mktemp -u /tmp/overload-stop.XXXXXX)
  TMP_DIRS+=("$samples" "$stop")
  sampler "$samples" "$stop" &
  sampler_pid=$!
  log "${factor}x: $conns connections, think time ${THINK_MS} ms, ${DURATION} s"
  out=$(wrk -t 2 -c "$conns" -d "${DURATION}s" --timeout 30s --latency \
    -s "$BENCH_DIR/wrk/post-paced.lua" "$SERVICE_URL" -- "$THINK_MS" 2>&1) || true
  touch "$stop"
  wait "$sampler_pid" 2>/dev/null || true
  [[ -n ${WRK_LOG:-} ]] && printf '%s\n\n' "$out" >>"$WRK_LOG"
  line=$(grep '^BENCH ' <<<"$out" || echo "BENCH rps=0")
  statuses=$(grep '^STATUS' <<<"$out" | sed 's/^STATUS *//' || true)
  alive=yes
  kill -0 "$SERVICE_PID" 2>/dev/null || alive="NO (exited)"
  ROWS+=("| ${factor}x | $conns | $(field rps "$line") | ${statuses:-?} | $(field p50_ms "$line") / $(field p99_ms "$line") / $(field max_ms "$line") | $(field socket_errors "$line") | $(col_max "$samples" 1) | $(col_max "$samples" 2) | $(col_max "$samples" 6) | $(col_max "$samples" 3) | $(col_max "$samples" 4) | $alive |")
  log "${factor}x: $line; $statuses; samples (pending waiting heap live_ms code):"
  tr '\n' ';' <"$samples" >&2
  echo >&2
  [[ $alive == yes ]] || break
  # let the node drain before the next level
  sleep 5
done

{
  echo "# Overload $BENCH_STAMP"
  echo
  echo "- $(nproc) cores; JVM options: $BENCH_JAVA_OPTS; service settings: ${*:-defaults}"
  echo "- capacity (POST, 32 connections): $CAPACITY req/s; each level offers factor x capacity"
  echo "  from connections that wait ${THINK_MS} ms (0.5-1.5x) between requests, ${DURATION} s"
  echo
  echo "| offered | connections | answered/s | answers by status | p50 / p99 / max ms | socket errors | max in progress | max pool wait queue | max event-bus pending | max heap MiB | max /health/live ms | alive |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$REPORT"
log "report: $REPORT"
