#!/usr/bin/env bash
# What one recovery sweep costs with a large backlog of waiting tasks: the worker's sweep
# statement (worker/TaskClaims.LOCK_STALE, copied below), planned and run with EXPLAIN (ANALYZE,
# BUFFERS) on a fresh database migrated by the jar, with BENCH_SWEEP_ROWS `new` tasks:
#   1. young: every task within the grace (none may be claimed by the sweep);
#   2. old: every task older than the grace (all claimable; the sweep takes its batch).
# A sweep that reads an index range costs the same at any backlog; one that reads the whole
# backlog to find its batch grows with it. Prints one table and writes it to
# bench/results/<stamp>-sweep.md. See docs/benchmarks.md#the-recovery-sweep-with-a-large-backlog.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DB=${BENCH_DB:-tasks_sweep}
BENCH_SWEEP_ROWS=${BENCH_SWEEP_ROWS:-1000000}
BENCH_SWEEP_GRACE_MS=${BENCH_SWEEP_GRACE_MS:-5000}
BENCH_SWEEP_BATCH=${BENCH_SWEEP_BATCH:-100}

require_tools psql java
mkdir -p "$BENCH_RESULTS_DIR"
REPORT="$BENCH_RESULTS_DIR/$BENCH_STAMP-sweep.md"
trap bench_cleanup EXIT

# worker/TaskClaims.LOCK_STALE, with its two parameters
SWEEP="SELECT id, title, status, coalesce(lease_until < now(), false) AS lease_expired
  FROM tasks
  WHERE (status = 'new' AND created_at < now() - $BENCH_SWEEP_GRACE_MS * interval '1 millisecond')
     OR (status = 'processing' AND lease_until < now())
  ORDER BY id LIMIT $BENCH_SWEEP_BATCH FOR UPDATE SKIP LOCKED"

fresh_db "$BENCH_DB"
log "migrating $BENCH_DB with $BENCH_JAR"
TASKS_DB_URL=$(db_url "$BENCH_DB") java -jar "$BENCH_JAR" migrate >/dev/null 2>&1 ||
  die "migration failed"

# One sweep in a transaction that is rolled back (its locks and nothing else): execution time,
# buffers read and rows the scan went through, from EXPLAIN (ANALYZE, BUFFERS).
measure() {
  q "$BENCH_DB" <<SQL
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) $SWEEP;
ROLLBACK;
SQL
}

row() { # CASE PLAN
  local time buffers filtered locked
  time=$(sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' <<<"$2")
  buffers=$(grep -o 'Buffers: shared[^|]*' <<<"$2" | head -n 1 | sed 's/^Buffers: shared //; s/ *$//' || true)
  filtered=$(grep -o 'Rows Removed by Filter: [0-9]*' <<<"$2" | awk '{s += $NF} END {print s + 0}' || true)
  locked=$(grep 'LockRows' <<<"$2" | grep -o 'actual[^)]*' | grep -o 'rows=[0-9]*' | head -n 1 || true)
  echo "| $1 | ${time:-?} ms | ${buffers:-?} | $filtered | ${locked#rows=} |"
}

# created_at ahead of the clock: still within the grace however long the seeding takes
log "seeding $BENCH_SWEEP_ROWS new tasks, all within the grace"
q "$BENCH_DB" -c "INSERT INTO tasks (title, created_at, updated_at) SELECT 'waiting ' || g, now() + interval '1 hour', now() + interval '1 hour' FROM generate_series(1, $BENCH_SWEEP_ROWS) g" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks" >/dev/null
YOUNG=$(measure)
log "the same tasks, older than the grace"
q "$BENCH_DB" -c "UPDATE tasks SET created_at = now() - interval '1 hour'" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks" >/dev/null
OLD=$(measure)

{
  echo "# Recovery sweep with $BENCH_SWEEP_ROWS waiting tasks ($(date -Is))"
  echo
  echo "- jar: $BENCH_JAR; grace ${BENCH_SWEEP_GRACE_MS} ms, batch $BENCH_SWEEP_BATCH"
  echo
  echo "| backlog | execution | buffers | rows read and dropped by the filter | rows locked |"
  echo "|---|---|---|---|---|"
  row "$BENCH_SWEEP_ROWS new, all within the grace (nothing to claim)" "$YOUNG"
  row "$BENCH_SWEEP_ROWS new, all older than the grace" "$OLD"
  echo
  echo '<details><summary>plans</summary>'
  echo
  echo '```'
  echo "$YOUNG"
  echo
  echo "$OLD"
  echo '```'
  echo '</details>'
} | tee "$REPORT"
