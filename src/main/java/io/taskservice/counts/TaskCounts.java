package io.taskservice.counts;

import io.taskservice.db.Database;
import io.taskservice.domain.TaskStatus;
import io.taskservice.housekeeping.Chore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Exact numbers of tasks per status, read from {@code task_counts} (migrations V2 and V6) instead
 * of counting {@code tasks}: triggers append every statement's net change per status there, so a
 * count is the sum of a handful of rows however many tasks are stored, exact under concurrent
 * writers and hand-typed SQL. {@link #fold()} keeps it a handful of rows. Thread-safe; any node may
 * fold at any time.
 */
public final class TaskCounts {
  static final String COUNT_ALL = "SELECT coalesce(sum(n), 0)::bigint FROM task_counts";
  static final String COUNT_BY_STATUS =
      "SELECT coalesce(sum(n), 0)::bigint FROM task_counts WHERE status = $1";
  static final String COUNT_BY_QUEUE =
      "SELECT coalesce(sum(n), 0)::bigint FROM task_counts WHERE queue = $1";
  static final String COUNT_BY_QUEUE_AND_STATUS =
      "SELECT coalesce(sum(n), 0)::bigint FROM task_counts WHERE queue = $1 AND status = $2";
  static final String ALL = "SELECT status, sum(n)::bigint AS n FROM task_counts GROUP BY status";

  /**
   * Every queue some task names, with its count per status (queues whose tasks are all gone have no
   * row left after a fold): columns {@code queue}, {@code status}, {@code n}.
   */
  public static final String BY_QUEUE =
      "SELECT queue, status, sum(n)::bigint AS n FROM task_counts GROUP BY queue, status"
          + " HAVING sum(n) <> 0";

  // One statement, so the rows deleted and their sums inserted commit together: a reader sees the
  // counts before or after, never in between. Folders running at once never fold a row twice:
  // the second waits for the first's row locks, then skips the rows it deleted (and cannot see
  // the sums it inserted). Queues and statuses already down to one non-zero row are left alone.
  static final String FOLD =
      "WITH folded AS ("
          + " DELETE FROM task_counts WHERE (queue, status) IN ("
          + "  SELECT queue, status FROM task_counts GROUP BY queue, status"
          + "  HAVING count(*) > 1 OR sum(n) = 0)"
          + " RETURNING queue, status, n),"
          + " sums AS (INSERT INTO task_counts (queue, status, n)"
          + "  SELECT queue, status, sum(n) FROM folded GROUP BY queue, status HAVING sum(n) <> 0)"
          + " SELECT count(*) FROM folded";

  static final long FOLD_INTERVAL_MS = 1000;

  private final Pool pool;
  private final long timeoutMs;

  public TaskCounts(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The number of tasks, of one status or of all. */
  public Future<Long> count(Optional<TaskStatus> status) {
    return count(status, Optional.empty());
  }

  /** The number of tasks, of one status or of all, in one queue or in all. */
  public Future<Long> count(Optional<TaskStatus> status, Optional<String> queue) {
    Future<RowSet<Row>> rows;
    if (queue.isPresent()) {
      rows =
          status.isPresent()
              ? pool.preparedQuery(COUNT_BY_QUEUE_AND_STATUS)
                  .execute(Tuple.of(queue.get(), status.get().wire()))
              : pool.preparedQuery(COUNT_BY_QUEUE).execute(Tuple.of(queue.get()));
    } else {
      rows =
          status.isPresent()
              ? pool.preparedQuery(COUNT_BY_STATUS).execute(Tuple.of(status.get().wire()))
              : pool.preparedQuery(COUNT_ALL).execute();
    }
    return guard(rows.map(r -> r.iterator().next().getLong(0)));
  }

  /**
   * The number of tasks per status of every queue that holds tasks, every status present (0 when
   * there are none), queues in name order.
   */
  public Future<Map<String, Map<TaskStatus, Long>>> byQueue() {
    return guard(
        pool.preparedQuery(BY_QUEUE)
            .execute()
            .map(
                rows -> {
                  Map<String, Map<TaskStatus, Long>> counts = new TreeMap<>();
                  rows.forEach(
                      row ->
                          counts
                              .computeIfAbsent(row.getString("queue"), q -> zeros())
                              .put(TaskStatus.stored(row.getString("status")), row.getLong("n")));
                  return Collections.unmodifiableMap(counts);
                }));
  }

  /** Every status, each counted 0. */
  public static Map<TaskStatus, Long> zeros() {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    for (TaskStatus status : TaskStatus.values()) {
      counts.put(status, 0L);
    }
    return counts;
  }

  /** The number of tasks in each status, every status present (0 when there are none). */
  public Future<Map<TaskStatus, Long>> all() {
    return guard(
        pool.preparedQuery(ALL)
            .execute()
            .map(
                rows -> {
                  Map<TaskStatus, Long> counts = zeros();
                  // a status the schema does not know would be a bug elsewhere: it fails here
                  rows.forEach(
                      row ->
                          counts.put(TaskStatus.stored(row.getString("status")), row.getLong("n")));
                  return Collections.unmodifiableMap(counts);
                }));
  }

  /**
   * The fold as periodic work, on every node: every second, folds the rows the triggers appended
   * (so that a count stays a sum of a few rows) and hands the counts per status to {@code
   * published} (the metrics). Folds of several nodes at once are safe (see {@link #fold()}).
   */
  public Chore folding(Consumer<Map<TaskStatus, Long>> published) {
    return Chore.every(
        "Folding the task counts",
        FOLD_INTERVAL_MS,
        () -> fold().compose(folded -> all()).onSuccess(published::accept));
  }

  /** Folds the rows appended since the last fold into one per status; returns the rows folded. */
  public Future<Long> fold() {
    return guard(pool.preparedQuery(FOLD).execute().map(r -> r.iterator().next().getLong(0)));
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }
}
