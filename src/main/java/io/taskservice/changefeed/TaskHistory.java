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
 * the change feed's reads of the commit-order log ({@code task_feed}, written by the {@link
 * Sequencer}): by position, a bounded index range, whatever else runs on the server. See
 * docs/change-feed.md.
 */
public final class TaskHistory {
  /** Appends 'created' for the rows of a CTE named {@code created} (id, created_at). */
  public static final String CREATED =
      "history AS (INSERT INTO task_history_rows (task_id, at, change)"
          + " SELECT id, created_at, "
          + HistoryChange.CREATED.code()
          + " FROM created ORDER BY id)";

  /**
   * Appends 'cancelled' for the rows of a CTE named {@code cancelled} (id, updated_at, reason,
   * by_token): {@code reason} is 'cancel_all' for a cancel of every waiting task, {@code by_token}
   * names who asked (the first 8 hex digits of the token's SHA-256) or is null.
   */
  public static final String CANCELLED =
      "history AS (INSERT INTO task_history_rows (task_id, at, change, by_token)"
          + " SELECT id, updated_at, "
          + HistoryChange.codeOf(List.of("cancelled"), null, null, "reason")
          + ", by_token FROM cancelled ORDER BY id)";

  // The history's rows as the feed reads them, from both tables behind the view task_history: the
  // change code of a row written since migration V9 (decoded here, by HistoryChange, rather than
  // joined to its names for every row read), the status and result of one written before, and
  // whether it is an event of the stream (not a hand-back, nor the takeover after one; a code
  // this version does not know is read, and skipped).
  private static final String ROWS =
      "SELECT task_id, seq, xid, at, change, NULL::VARCHAR(10) AS status, NULL::VARCHAR(10) AS result,"
          + " change <> ALL("
          + HistoryChange.notStreamed()
          + ") AS streamed FROM task_history_rows"
          + " UNION ALL SELECT task_id, seq, xid, at, NULL, status, result,"
          + " event <> 'handed_back' AND coalesce(reason, '') NOT IN ('lease_expired', 'member_left')"
          + " FROM task_history_old";

  // The changes after a cursor ($1, $2): the positions $1 to $1 + $4 of the log, each
  // transaction's rows in seq order, at most $3 rows; with the sequencer's state and the pruned
  // mark of the same snapshot. tasks is named before the history: PostgreSQL locks the tables of
  // a query in that order, as TRUNCATE tasks (whose trigger truncates the history) does; the
  // other order can deadlock with it.
  static final String READ =
      "SELECT st.epoch, st.last_pos, pr.below, e.* FROM"
          + " (SELECT epoch, last_pos FROM task_feed_state WHERE only_row) AS st"
          + " CROSS JOIN (SELECT coalesce(max(pos), 0) AS below FROM task_feed_pruned) AS pr"
          + " LEFT JOIN LATERAL (SELECT f.pos, h.seq, h.task_id, t.title, t.queue, t.priority,"
          + " t.run_after, t.created_at, h.at, h.change, h.status, h.result"
          + " FROM tasks t JOIN ("
          + ROWS
          + ") AS h ON t.id = h.task_id"
          + " JOIN task_feed f ON h.xid = f.xid"
          + " WHERE f.pos >= $1 AND f.pos <= $1 + $4 AND (f.pos > $1 OR h.seq > $2)"
          + " AND h.streamed ORDER BY f.pos, h.seq LIMIT $3) AS e ON true";

  // READ's rows are read by position (name look-ups were a tenth of a busy node's feed reads):
  // the state's three columns, then from POS on pos, seq, task_id, title, queue, priority,
  // run_after, created_at, at, change, status, result
  private static final int POS = 3;

  static final String STATE =
      "SELECT epoch, last_pos, (SELECT coalesce(max(pos), 0) FROM task_feed_pruned) AS below"
          + " FROM task_feed_state WHERE only_row";

  static final String OF_TASK =
      "SELECT h.at, h.event, h.status, h.result, t.queue, t.priority, h.worker, h.reason,"
          + " h.by_token"
          + " FROM tasks t LEFT JOIN task_history h ON h.task_id = t.id WHERE t.id = $1"
          + " ORDER BY h.seq";

  /**
   * The feed's state as a read saw it.
   *
   * @param epoch the sequencer's epoch: cursors of another are not of this database
   * @param lastPos the last position logged
   * @param below positions at or below it may have lost their history (retention, log trim)
   */
  public record State(int epoch, long lastPos, long below) {
    /** Where a stream that starts now stands: after everything logged. */
    public EventCursor end() {
      return EventCursor.after(epoch, lastPos);
    }
  }

  /** One change of one task, in the order of the log. */
  public record Change(EventCursor cursor, Task task) {}

  /**
   * A read of the feed.
   *
   * @param state the sequencer's state in the read's snapshot
   * @param changes the changes, in log order
   * @param next where the next read starts: after the last row read
   * @param more the read stopped at its bound: more changes are logged
   * @param skipped rows that are no change of this service (cursors), left behind
   */
  public record Changes(
      State state, List<Change> changes, EventCursor next, boolean more, List<String> skipped) {}

  /**
   * One entry of a task's history.
   *
   * @param queue the task's queue, {@code priority} its priority (neither changes)
   * @param by who asked for the change (a cancel): the first 8 hex digits of the SHA-256 of their
   *     bearer token; null for the service's own changes and when tokens are off
   */
  public record Entry(
      OffsetDateTime at,
      String event,
      String status,
      String result,
      String queue,
      int priority,
      String worker,
      String reason,
      String by) {}

  private final Pool pool;
  private final long timeoutMs;

  public TaskHistory(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The feed's state now: where a follower starts. */
  public Future<State> now() {
    return guard(pool.query(STATE).execute().map(rows -> state(rows.iterator().next())));
  }

  /**
   * The changes after {@code from}: at most {@code limit} rows of the positions up to {@code span}
   * after it.
   */
  public Future<Changes> read(EventCursor from, long span, int limit) {
    Tuple params = Tuple.of(from.pos(), from.seq(), limit, span);
    return guard(
        pool.preparedQuery(READ)
            .execute(params)
            .map(rows -> changes(rows, from.pos(), span, limit)));
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
                              row.getString("queue"),
                              row.getInteger("priority"),
                              row.getString("worker"),
                              row.getString("reason"),
                              row.getString("by_token")));
                    }
                  }
                  return Optional.of(entries);
                }));
  }

  private static Changes changes(RowSet<Row> rows, long fromPos, long span, int limit) {
    State state = null;
    List<Change> changes = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Row row : rows) {
      if (state == null) {
        state = state(row);
      }
      if (row.getValue(POS) == null) {
        continue;
      }
      EventCursor cursor = new EventCursor(state.epoch(), row.getLong(POS), row.getLong(POS + 1));
      // a coded row (a code this version does not know has no status), or one from before V9
      Integer code = row.getInteger(POS + 9);
      Optional<HistoryChange> change = Optional.ofNullable(code).flatMap(HistoryChange::of);
      Optional<TaskStatus> status =
          TaskStatus.fromWire(
              code == null
                  ? row.getString(POS + 10)
                  : change.map(HistoryChange::status).orElse(null));
      Optional<TaskResult> result =
          result(
              code == null
                  ? row.getString(POS + 11)
                  : change.map(HistoryChange::result).orElse(null));
      if (status.isEmpty() || result == null) {
        // a row this service did not write (typed by hand): the feed goes past it, never stalls
        skipped.add(cursor.encode());
        continue;
      }
      Task task =
          new Task(
              row.getLong(POS + 2),
              row.getString(POS + 3),
              status.get(),
              result.orElse(null),
              row.getString(POS + 4),
              row.getInteger(POS + 5),
              row.getOffsetDateTime(POS + 6),
              row.getOffsetDateTime(POS + 7),
              row.getOffsetDateTime(POS + 8));
      changes.add(new Change(cursor, task));
    }
    Row last = null;
    int read = 0;
    for (Row row : rows) {
      if (row.getValue(POS) != null) {
        last = row;
        read++;
      }
    }
    boolean cut = read >= limit;
    EventCursor next;
    if (cut) {
      // the last row read: the next read starts right after it
      next = new EventCursor(state.epoch(), last.getLong(POS), last.getLong(POS + 1));
    } else {
      // everything up to the end of the range (or of the log) was read
      long end = Math.min(state.lastPos(), fromPos + span);
      next = EventCursor.after(state.epoch(), Math.max(end, fromPos - 1));
    }
    return new Changes(state, changes, next, cut || fromPos + span < state.lastPos(), skipped);
  }

  private static State state(Row row) {
    return new State(row.getInteger(0), row.getLong(1), row.getLong(2));
  }

  /** Null for a result the service does not know; empty for no result. */
  private static Optional<TaskResult> result(String stored) {
    if (stored == null) {
      return Optional.empty();
    }
    for (TaskResult result : TaskResult.values()) {
      if (result.wire().equals(stored)) {
        return Optional.of(result);
      }
    }
    return null;
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }
}
