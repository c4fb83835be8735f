package io.taskservice.changefeed;

import io.taskservice.db.Database;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The task history's SQL: what the service's statements append to {@code task_history} in the same
 * statement as the change (the {@code CREATED}, {@code CLAIMED}, ... CTEs), a task's history, and
 * the reads of the change feed.
 *
 * <p>The feed follows commits, not sequence numbers. Each read also takes the snapshot it ran in:
 * rows of transactions that were still running then ({@code xip}) or began later ({@code >= xmax})
 * are the only ones it cannot have seen, so the next read asks for exactly those. A row whose seq
 * is lower than one already read but whose transaction commits later is found that way; reading
 * "seq greater than the last one seen" would lose it.
 */
public final class TaskHistory {
  /** Appends 'created' for the rows of a CTE named {@code created} (id, created_at). */
  public static final String CREATED =
      "history AS (INSERT INTO task_history (task_id, at, event, status)"
          + " SELECT id, created_at, 'created', 'new' FROM created ORDER BY id)";

  /** The history rows that are status changes, i.e. events of the stream. */
  private static final String STREAMED =
      "h.event <> 'handed_back' AND h.reason IS DISTINCT FROM 'lease_expired'";

  private static final String SNAPSHOT =
      "(SELECT pg_snapshot_xmin(c)::text AS xmin, pg_snapshot_xmax(c)::text AS xmax,"
          + " ARRAY(SELECT pg_snapshot_xip(c)::text) AS xip,"
          + " (SELECT below::text FROM task_history_pruned WHERE only_row) AS pruned"
          + " FROM pg_current_snapshot() AS c) AS s";

  private static final String CHANGE_COLUMNS =
      "h.seq, h.task_id, t.title, t.created_at, h.at, h.status, h.result";

  // What committed since the previous read's snapshot; rows of deleted tasks are left out. tasks
  // is named before task_history, here and below: PostgreSQL locks the tables of a query in that
  // order, as TRUNCATE tasks (whose trigger truncates task_history) does; the other order can
  // deadlock with it.
  static final String CHANGES =
      "SELECT s.*, e.* FROM "
          + SNAPSHOT
          + " LEFT JOIN LATERAL (SELECT "
          + CHANGE_COLUMNS
          + " FROM tasks t JOIN task_history h ON t.id = h.task_id"
          + " WHERE (h.xid >= $1::text::xid8 OR h.xid = ANY($2::text[]::xid8[])) AND "
          + STREAMED
          + " ORDER BY h.seq) AS e ON true";

  static final String NOW = "SELECT s.* FROM " + SNAPSHOT;

  // A resume from a cursor (lo, hi, seq): every row of a transaction from lo on, except those the
  // cursor's own read saw (xid below hi) up to its seq. At most $4 + 1 rows are read: more means
  // the cursor is too far behind, and the client re-lists instead.
  static final String SINCE =
      "SELECT s.*, e.* FROM "
          + SNAPSHOT
          + " LEFT JOIN LATERAL (SELECT "
          + CHANGE_COLUMNS
          + " FROM tasks t JOIN (SELECT * FROM task_history h"
          + " WHERE h.xid >= $1::text::xid8 AND NOT (h.xid < $2::text::xid8 AND h.seq <= $3) AND "
          + STREAMED
          + " LIMIT $4 + 1) AS h ON t.id = h.task_id ORDER BY h.seq) AS e ON true";

  static final String OF_TASK =
      "SELECT h.at, h.event, h.status, h.result, h.worker, h.reason"
          + " FROM tasks t LEFT JOIN task_history h ON h.task_id = t.id WHERE t.id = $1"
          + " ORDER BY h.seq";

  /** The snapshot a read ran in: which transactions it saw, and how far retention pruned. */
  public record Snapshot(long xmin, long xmax, List<Long> running, long pruned) {}

  /** One change of one task, in the order of the history. */
  public record Change(long seq, Task task) {}

  /** A read of the feed: the changes, in history order, and the snapshot they were read in. */
  public record Changes(Snapshot snapshot, List<Change> changes) {}

  /** One entry of a task's history. */
  public record Entry(
      OffsetDateTime at,
      String event,
      String status,
      String result,
      String worker,
      String reason) {}

  private final Pool pool;
  private final long timeoutMs;

  public TaskHistory(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The current snapshot, from which a feed starts. */
  public Future<Snapshot> now() {
    return guard(pool.query(NOW).execute().map(rows -> snapshot(rows.iterator().next())));
  }

  /** The changes committed since {@code previous} was taken (none that it saw). */
  public Future<Changes> changesSince(Snapshot previous) {
    // not Tuple.of(xmax, running): that picks Tuple.of(Object, Object...) and spreads the array
    Tuple params =
        Tuple.tuple()
            .addString(Long.toString(previous.xmax()))
            .addArrayOfString(
                previous.running().stream().map(String::valueOf).toArray(String[]::new));
    return guard(pool.preparedQuery(CHANGES).execute(params).map(TaskHistory::changes));
  }

  /**
   * The changes after a cursor: every row of a transaction {@code lo} or later, except those with
   * an xid below {@code hi} and a seq up to {@code seq}. Empty when more than {@code limit}.
   */
  public Future<Optional<Changes>> since(long lo, long hi, long seq, int limit) {
    Tuple params = Tuple.of(Long.toString(lo), Long.toString(hi), seq, limit);
    return guard(
        pool.preparedQuery(SINCE)
            .execute(params)
            .map(TaskHistory::changes)
            .map(read -> read.changes().size() > limit ? Optional.empty() : Optional.of(read)));
  }

  /** A task's history, oldest first; empty when the task does not exist. */
  public Future<Optional<List<Entry>>> of(long taskId) {
    return guard(
        pool.preparedQuery(OF_TASK)
            .execute(Tuple.of(taskId))
            .map(
                rows -> {
                  if (rows.size() == 0) {
                    return Optional.empty();
                  }
                  List<Entry> entries = new ArrayList<>();
                  for (Row row : rows) {
                    if (row.getString("event") != null) {
                      entries.add(
                          new Entry(
                              row.getOffsetDateTime("at"),
                              row.getString("event"),
                              row.getString("status"),
                              row.getString("result"),
                              row.getString("worker"),
                              row.getString("reason")));
                    }
                  }
                  return Optional.of(entries);
                }));
  }

  private static Changes changes(RowSet<Row> rows) {
    Snapshot snapshot = null;
    List<Change> changes = new ArrayList<>();
    for (Row row : rows) {
      if (snapshot == null) {
        snapshot = snapshot(row);
      }
      if (row.getValue("seq") == null) {
        continue;
      }
      Task task =
          new Task(
              row.getLong("task_id"),
              row.getString("title"),
              TaskStatus.stored(row.getString("status")),
              TaskResult.stored(row.getString("result")),
              row.getOffsetDateTime("created_at"),
              row.getOffsetDateTime("at"));
      changes.add(new Change(row.getLong("seq"), task));
    }
    return new Changes(snapshot, changes);
  }

  private static Snapshot snapshot(Row row) {
    List<Long> running = new ArrayList<>();
    for (String xid : row.getArrayOfStrings("xip")) {
      running.add(Long.parseLong(xid));
    }
    return new Snapshot(
        Long.parseLong(row.getString("xmin")),
        Long.parseLong(row.getString("xmax")),
        List.copyOf(running),
        Long.parseLong(row.getString("pruned")));
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }
}
