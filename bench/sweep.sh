#!/usr/bin/env bash
# What one recovery sweep costs with a large backlog of waiting tasks: the worker's claim in its
# sweep form (worker/TaskClaims.CLAIM, copied below: due tasks of one queue by priority and due
# time, one range of the claim index per priority, plus expired leases), planned and run with
# EXPLAIN (ANALYZE, BUFFERS) on a fresh database migrated by the jar, with BENCH_SWEEP_ROWS `new`
# tasks:
#   1. scheduled: every task due in an hour (none may be claimed);
#   2. due: every task due (the sweep takes its batch);
#   3. another queue: the backlog is in `bulk`, the sweep claims from `default`.
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

# worker/TaskClaims.CLAIM with its parameters: the queue, the room for new tasks and for
# takeovers, a token, the worker, the lease, the grace and the settings' time
sweep_of() { # QUEUE
  cat <<SQL
WITH due AS (SELECT c.id FROM generate_series(0, 9) AS p(priority)
  CROSS JOIN LATERAL (SELECT t.id, t.due_at FROM tasks t
    WHERE t.status = 'new' AND t.queue = '$1' AND t.priority = p.priority
    AND t.due_at <= now() ORDER BY t.due_at, t.id LIMIT $BENCH_SWEEP_BATCH FOR UPDATE SKIP LOCKED) AS c
  ORDER BY p.priority, c.due_at, c.id LIMIT $BENCH_SWEEP_BATCH),
expired AS (SELECT t.id FROM tasks t WHERE t.status = 'processing' AND (t.queue || '') = '$1'
  AND t.lease_until < now() ORDER BY t.id LIMIT $BENCH_SWEEP_BATCH FOR UPDATE SKIP LOCKED),
claimed AS (UPDATE tasks t SET status = 'processing', claim_token = gen_random_uuid(),
  claimed_by = 'bench', lease_until = clock_timestamp() + interval '30 seconds', updated_at = now()
  FROM (SELECT id, 'new' AS was FROM due UNION ALL SELECT id, 'processing' FROM expired) AS p
  WHERE t.id = p.id
  RETURNING t.id, t.title, t.updated_at, p.was,
  CASE WHEN p.was = 'processing' THEN 'lease_expired'
  WHEN t.due_at < now() - $BENCH_SWEEP_GRACE_MS * interval '1 millisecond' THEN 'new_unclaimed' END AS reason),
history AS ($HISTORY_INSERT FROM claimed ORDER BY id)
SELECT id, title, was, reason FROM claimed ORDER BY id
SQL
}

fresh_db "$BENCH_DB"
log "migrating $BENCH_DB with $BENCH_JAR"
TASKS_DB_URL=$(db_url "$BENCH_DB") java -jar "$BENCH_JAR" migrate >/dev/null 2>&1 ||
  die "migration failed"
# the history rows as the build writes them: coded (migration V9 on), or by name before
if [[ $(q "$BENCH_DB" -c "SELECT to_regclass('task_history_rows') IS NOT NULL") == t ]]; then
  HISTORY_INSERT="INSERT INTO task_history_rows (task_id, at, change, worker)
  SELECT id, updated_at, CASE WHEN reason IS NULL THEN 2 WHEN reason = 'new_unclaimed' THEN 3
  WHEN reason = 'lease_expired' THEN 4 END, (SELECT worker_id('bench'))"
else
  HISTORY_INSERT="INSERT INTO task_history (task_id, at, event, status, worker, reason)
  SELECT id, updated_at, CASE WHEN reason IS NULL THEN 'claimed' ELSE 'recovered' END,
  'processing', 'bench', reason"
fi

# One sweep in a transaction that is rolled back (its locks and nothing else): execution time,
# buffers read and rows the scan went through, from EXPLAIN (ANALYZE, BUFFERS).
measure() { # QUEUE
  # the service's session settings (db/Database): no JIT, no sequential scans
  q "$BENCH_DB" <<SQL
BEGIN;
SET LOCAL jit = off;
SET LOCAL enable_seqscan = off;
EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) $(sweep_of "$1");
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

log "seeding $BENCH_SWEEP_ROWS new tasks, all scheduled an hour ahead"
q "$BENCH_DB" -c "INSERT INTO tasks (title, run_after, due_at) SELECT 'waiting ' || g, now() + interval '1 hour', now() + interval '1 hour' FROM generate_series(1, $BENCH_SWEEP_ROWS) g" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks" >/dev/null
YOUNG=$(measure default)
log "the same tasks, due"
q "$BENCH_DB" -c "UPDATE tasks SET run_after = NULL, due_at = now() - interval '1 hour'" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks" >/dev/null
OLD=$(measure default)
log "the same tasks in another queue"
q "$BENCH_DB" -c "UPDATE tasks SET queue = 'bulk'" >/dev/null
q "$BENCH_DB" -c "VACUUM (ANALYZE) tasks" >/dev/null
OTHER=$(measure default)

{
  echo "# Recovery sweep with $BENCH_SWEEP_ROWS waiting tasks ($(date -Is))"
  echo
  echo "- jar: $BENCH_JAR; grace ${BENCH_SWEEP_GRACE_MS} ms, batch $BENCH_SWEEP_BATCH"
  echo
  echo "| backlog | execution | buffers | rows read and dropped by the filter | rows locked |"
  echo "|---|---|---|---|---|"
  row "$BENCH_SWEEP_ROWS new, all scheduled an hour ahead (nothing to claim)" "$YOUNG"
  row "$BENCH_SWEEP_ROWS new, all due" "$OLD"
  row "$BENCH_SWEEP_ROWS new in another queue (nothing to claim here)" "$OTHER"
  echo
  echo '<details><summary>plans</summary>'
  echo
  echo '```'
  echo "$YOUNG"
  echo
  echo "$OLD"
  echo
  echo "$OTHER"
  echo '```'
  echo '</details>'
} | tee "$REPORT"
