package io.taskservice.tasks;

import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * Retention's SQL: deletes finished tasks whose last change is older than the retention, oldest
 * first, one bounded batch per transaction. {@code FOR UPDATE SKIP LOCKED}: any number of nodes
 * prune at once without deleting a row twice or waiting for each other, and since only finished
 * rows are locked, inserts, claims and completions never wait for a prune. The counts follow by
 * their delete trigger, in the same transaction.
 */
public final class TaskRetention {
  /** At most this many tasks per transaction: short locks, small WAL records, steady progress. */
  public static final int MAX_BATCH = 1000;

  // the oldest expired first, through tasks_final_updated_idx: a pass with nothing to delete
  // reads one index entry; the status is checked again on each row as it is locked, so a row
  // changed back to new or processing meanwhile (by hand) is left alone
  static final String PRUNE =
      "WITH expired AS ("
          + " SELECT id FROM tasks"
          + " WHERE status IN ('done', 'failed', 'cancelled') AND updated_at < now() - $1 * interval '1 millisecond'"
          + " ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED),"
          + " deleted AS (DELETE FROM tasks WHERE id IN (SELECT id FROM expired) RETURNING id),"
          // the history goes with its tasks (by a trigger); streams resuming from before the
          // newest position of the deleted history are told to re-list (this statement still
          // sees the rows it deletes). An insert, not an update of one row: pruners on many
          // nodes never wait for each other.
          + " marked AS (INSERT INTO task_feed_pruned (pos) SELECT max(f.pos) FROM task_feed f"
          + " WHERE f.xid IN (SELECT h.xid FROM task_history h"
          + " WHERE h.task_id IN (SELECT id FROM deleted)) HAVING max(f.pos) IS NOT NULL)"
          + " SELECT count(*) AS n FROM deleted";

  private final Pool pool;
  private final long timeoutMs;

  public TaskRetention(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Deletes up to {@code batch} (at most {@value #MAX_BATCH}) finished tasks last changed more than
   * {@code keep} ago, in one transaction; returns how many. Fewer than {@code batch} means none are
   * left, unless other pruners hold some.
   */
  public Future<Integer> prune(Duration keep, int batch) {
    Tuple params = Tuple.of(keep.toMillis(), Math.min(batch, MAX_BATCH));
    return Database.guard(
        pool.preparedQuery(PRUNE)
            .execute(params)
            .map(rows -> rows.iterator().next().getLong("n").intValue()),
        timeoutMs);
  }
}
