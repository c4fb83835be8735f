package io.taskservice.tasks;

import io.taskservice.changefeed.TaskHistory;
import io.taskservice.db.Database;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;

/**
 * The cancels' SQL: one task (the reference's {@code cancel} action), and every waiting task (its
 * {@code cancel_waiting}) in short batches. Each statement changes the rows, clears their claim
 * (token, holder, lease: a worker's later completion, hand-back or release then misses) and appends
 * their 'cancelled' history rows at once.
 */
final class TaskCancels {
  /** Rows per cancel-all statement: each batch is its own short transaction. */
  static final int BATCH = 1_000;

  private static final String CLEARED =
      "status = 'cancelled', result = NULL, updated_at = now(), claim_token = NULL,"
          + " claimed_by = NULL, lease_until = NULL";

  // One task: $1 id, $2 and $3 the list's filters (status, queue; null = none), $4 who asked. The
  // row is locked first (after a concurrent completion commits, the lock sees the row it left), so
  // exactly one of the two wins; 'was' is the status the cancel found, for the state machine.
  // The task's columns come first, as TaskRepository.toTask reads them.
  static final String CANCEL =
      "WITH target AS MATERIALIZED (SELECT id, status FROM tasks WHERE id = $1"
          + " AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR queue = $3)"
          + " FOR UPDATE),"
          + " cancelled AS (UPDATE tasks t SET "
          + CLEARED
          + " FROM target WHERE t.id = target.id AND target.status IN ('new', 'processing')"
          + " RETURNING t.id, t.title, t.status, t.result, t.queue, t.priority, t.run_after,"
          + " t.created_at, t.updated_at, NULL::text AS reason, $4::text AS by_token), "
          + TaskHistory.CANCELLED
          + " SELECT c.*, target.status AS was FROM target LEFT JOIN cancelled c USING (id)";

  /** Where a cancel-all stops: the newest task when it started. */
  static final String MAX_ID = "SELECT coalesce(max(id), 0) AS max_id FROM tasks";

  // One batch of a cancel-all: the next waiting tasks after $1 up to $2 in id order (of queue $5),
  // rows others are locking (a claim) skipped; $3 rows at most, $4 who asked.
  private static final String CANCEL_BATCH =
      "WITH batch AS MATERIALIZED (SELECT id FROM tasks WHERE status = 'new'"
          + " AND id > $1 AND id <= $2%s ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),"
          + " cancelled AS (UPDATE tasks t SET "
          + CLEARED
          + " FROM batch WHERE t.id = batch.id AND t.status = 'new'"
          + " RETURNING t.id, t.updated_at, 'cancel_all'::text AS reason, $4::text AS by_token), "
          + TaskHistory.CANCELLED
          + " SELECT (SELECT count(*) FROM batch) AS locked,"
          + " (SELECT count(*) FROM cancelled) AS cancelled, (SELECT max(id) FROM batch) AS last";
  static final String CANCEL_BATCH_ALL = String.format(CANCEL_BATCH, "");
  static final String CANCEL_BATCH_QUEUE = String.format(CANCEL_BATCH, " AND queue = $5");

  /**
   * What a cancel of one task found.
   *
   * @param found the task exists and matches the filters
   * @param was its status when the cancel locked it
   * @param cancelled the task as the cancel left it, when it was cancelled
   */
  record Cancel(boolean found, TaskStatus was, Optional<Task> cancelled) {}

  /**
   * One batch of a cancel-all.
   *
   * @param locked rows the batch took (fewer than asked: nothing waits after them)
   * @param cancelled rows it cancelled
   * @param last the highest id it took, where the next batch starts
   */
  record Batch(int locked, int cancelled, long last) {}

  private final Pool pool;
  private final long timeoutMs;

  TaskCancels(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Cancels task {@code id} if it matches {@code filter} and is new or processing.
   *
   * @param by who asked, or null
   */
  Future<Cancel> cancel(long id, TaskFilter filter, String by) {
    Tuple params =
        Tuple.of(
            id,
            filter.status().map(TaskStatus::wire).orElse(null),
            filter.queue().orElse(null),
            by);
    return Database.guard(
        pool.preparedQuery(CANCEL)
            .execute(params)
            .map(
                rows -> {
                  if (rows.size() == 0) {
                    return new Cancel(false, null, Optional.empty());
                  }
                  Row row = rows.iterator().next();
                  TaskStatus was = TaskStatus.stored(row.getString("was"));
                  boolean cancelled = row.getValue("id") != null;
                  // the statement's condition is the state machine's: checked again here
                  if (cancelled != was.canBecome(TaskStatus.CANCELLED)) {
                    throw new IllegalStateException(
                        "cancel of task "
                            + id
                            + " from "
                            + was.wire()
                            + " disagrees with the"
                            + " state machine");
                  }
                  return new Cancel(
                      true,
                      was,
                      cancelled ? Optional.of(TaskRepository.toTask(row)) : Optional.empty());
                }),
        timeoutMs);
  }

  /** The newest task's id now: a cancel-all cancels no task created after it started. */
  Future<Long> maxId() {
    return Database.guard(
        pool.query(MAX_ID).execute().map(rows -> rows.iterator().next().getLong("max_id")),
        timeoutMs);
  }

  /**
   * Cancels up to {@link #BATCH} waiting tasks with ids after {@code after} and up to {@code maxId}
   * (of {@code queue}, if present), in one statement: its own short transaction.
   */
  Future<Batch> cancelBatch(long after, long maxId, Optional<String> queue, String by) {
    Tuple params = Tuple.of(after, maxId, BATCH, by);
    queue.ifPresent(params::addString);
    return Database.guard(
        pool.preparedQuery(queue.isPresent() ? CANCEL_BATCH_QUEUE : CANCEL_BATCH_ALL)
            .execute(params)
            .map(
                rows -> {
                  Row row = rows.iterator().next();
                  Long last = row.getLong("last");
                  return new Batch(
                      (int) (long) row.getLong("locked"),
                      (int) (long) row.getLong("cancelled"),
                      last == null ? maxId : last);
                }),
        timeoutMs);
  }
}
