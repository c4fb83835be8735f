#!/usr/bin/env bash
# Memory held per in-flight task: starts the jar with a processing delay long enough that nothing
# completes (TASKS_PROCESSING_DELAY_MS=120000), measures heap-after-full-GC and RSS when idle,
# creates BENCH_MEMORY_TASKS tasks (default 10,000), waits until all are 'processing' (each one is
# then a pending timer plus whatever the worker keeps for it), and measures again.
# Heap in use is read after `jcmd <pid> GC.run` from `jcmd <pid> GC.heap_info`; the report also
# lists the classes with the most instances then (GC.class_histogram).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_MEMORY_DB:-tasks_bench_memory}
TASKS=${BENCH_MEMORY_TASKS:-10000}
DELAY_MS=${BENCH_MEMORY_DELAY_MS:-120000}
CONCURRENCY=${BENCH_DRAIN_CONCURRENCY:-64}
[[ ${BENCH_SMOKE:-0} == 1 ]] && TASKS=500

require_tools psql java jcmd python3 curl
warn_if_busy
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-memory.md"
trap bench_cleanup EXIT

# Heap in use (MiB) after a full GC. G1 prints "garbage-first heap   total 262144K, used 51234K";
# other collectors print a similar "total …K, used …K" line, whose first match is the whole heap.
heap_after_gc_mib() {
  jcmd "$SERVICE_PID" GC.run >/dev/null
  sleep 1
  jcmd "$SERVICE_PID" GC.heap_info | grep -m 1 -o 'used [0-9]*K' | awk '{ printf "%.1f", $2 / 1024 }'
}

fresh_db "$BENCH_DB"
# The lease must outlast the delay (the service refuses the configuration otherwise).
start_service "$BENCH_DB" TASKS_PROCESSING_DELAY_MS="$DELAY_MS" TASKS_LEASE_MS=$((DELAY_MS * 3)) \
  TASKS_SHUTDOWN_GRACE_MS=0 # the held tasks could not finish anyway: stop at once

# A little warm-up traffic, so that "idle" already holds the loaded classes and JIT code.
python3 "$BENCH_DIR/drain.py" --url "$SERVICE_URL" --db-url "$(db_url "$BENCH_DB")" \
  --tasks 200 --concurrency "$CONCURRENCY" --until processing >/dev/null
IDLE_HEAP=$(heap_after_gc_mib)
IDLE_RSS=$(rss_mib "$SERVICE_PID")
log "after warm-up (200 tasks in flight): heap after GC ${IDLE_HEAP} MiB, RSS ${IDLE_RSS} MiB"

log "creating $TASKS tasks, waiting until all are processing"
CREATE=$(python3 "$BENCH_DIR/drain.py" --url "$SERVICE_URL" --db-url "$(db_url "$BENCH_DB")" \
  --tasks "$TASKS" --concurrency "$CONCURRENCY" --until processing) || die "creating failed: $CREATE"
IN_FLIGHT=$(q "$BENCH_DB" -c "SELECT count(*) FROM tasks WHERE status = 'processing'")
LOADED_HEAP=$(heap_after_gc_mib)
LOADED_RSS=$(rss_mib "$SERVICE_PID")
HISTOGRAM=$(jcmd "$SERVICE_PID" GC.class_histogram | sed -n '2,23p')
HEAP_FLAGS=$(jcmd "$SERVICE_PID" VM.flags | tr ' ' '\n' | grep -E 'MaxHeapSize|InitialHeapSize|Use.*GC$' | tr '\n' ' ')

per_task_bytes() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.0f", (b - a) * 1048576 / n }'; }
{
  echo "# Memory per in-flight task $BENCH_STAMP"
  echo
  echo "- $(nproc) cores, $(java -version 2>&1 | sed -n 2p); JVM flags: $HEAP_FLAGS${BENCH_JAVA_OPTS:+; options: $BENCH_JAVA_OPTS}"
  echo "- TASKS_PROCESSING_DELAY_MS=$DELAY_MS; created $(field created "$CREATE") tasks in $(field create_s "$CREATE") s," \
    "all processing $(field drain_s "$CREATE") s after the last 201"
  echo
  echo "| State | tasks processing | heap used after full GC | RSS |"
  echo "|---|---|---|---|"
  echo "| after warm-up | 200 | $IDLE_HEAP MiB | $IDLE_RSS MiB |"
  echo "| with the tasks in flight | $IN_FLIGHT | $LOADED_HEAP MiB | $LOADED_RSS MiB |"
  echo "| difference per task | | $(per_task_bytes "$IDLE_HEAP" "$LOADED_HEAP" $((IN_FLIGHT - 200))) bytes | $(per_task_bytes "$IDLE_RSS" "$LOADED_RSS" $((IN_FLIGHT - 200))) bytes |"
  echo
  echo "Top of the class histogram with the tasks in flight (after the full GC):"
  echo
  echo '```'
  echo "$HISTOGRAM"
  echo '```'
  echo
  echo "RSS includes memory the JVM reserved during the creates and keeps (heap growth, thread"
  echo "stacks, code cache); the heap figure is what the in-flight tasks actually keep alive."
} >"$REPORT"
echo
cat "$REPORT"
log "written to $REPORT"
