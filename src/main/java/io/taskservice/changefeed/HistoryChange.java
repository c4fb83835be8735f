package io.taskservice.changefeed;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one history row says, as the number {@code task_history_rows.change} stores: the rows of
 * {@code task_history_changes} (migration V9), which the view {@code task_history} joins to show
 * the event, status, result and reason by name. The statements that write history name these codes
 * through the SQL expressions below.
 */
public enum HistoryChange {
  CREATED(1, "created", "new", null, null, true),
  CLAIMED(2, "claimed", "processing", null, null, true),
  RECOVERED_NEW_UNCLAIMED(3, "recovered", "processing", null, "new_unclaimed", true),
  // takeovers and hand-backs change no status: history, not events of the stream
  RECOVERED_LEASE_EXPIRED(4, "recovered", "processing", null, "lease_expired", false),
  RECOVERED_MEMBER_LEFT(5, "recovered", "processing", null, "member_left", false),
  HANDED_BACK(6, "handed_back", "processing", null, null, false),
  HANDED_BACK_MEMBER_LEFT(7, "handed_back", "processing", null, "member_left", false),
  DONE(8, "finished", "done", "success", null, true),
  FAILED(9, "finished", "failed", "error", null, true),
  DONE_WITH_ERROR(10, "finished", "done", "error", null, true),
  FAILED_WITH_SUCCESS(11, "finished", "failed", "success", null, true),
  CANCELLED(12, "cancelled", "cancelled", null, null, true),
  CANCELLED_ALL(13, "cancelled", "cancelled", null, "cancel_all", true);

  private static final HistoryChange[] BY_CODE = new HistoryChange[values().length + 1];

  static {
    for (HistoryChange change : values()) {
      BY_CODE[change.code] = change;
    }
  }

  private final int code;
  private final String event;
  private final String status;
  private final String result;
  private final String reason;
  private final boolean streamed;

  HistoryChange(
      int code, String event, String status, String result, String reason, boolean streamed) {
    this.code = code;
    this.event = event;
    this.status = status;
    this.result = result;
    this.reason = reason;
    this.streamed = streamed;
  }

  /** The change of {@code code}; empty for a code this version does not know. */
  public static Optional<HistoryChange> of(int code) {
    return code > 0 && code < BY_CODE.length ? Optional.of(BY_CODE[code]) : Optional.empty();
  }

  /** The codes of the rows that are no event of the stream, as an SQL array literal. */
  static String notStreamed() {
    return Stream.of(values())
        .filter(change -> !change.streamed)
        .map(change -> Integer.toString(change.code))
        .collect(Collectors.joining(",", "'{", "}'::smallint[]"));
  }

  public int code() {
    return code;
  }

  public String event() {
    return event;
  }

  public String status() {
    return status;
  }

  public String result() {
    return result;
  }

  public String reason() {
    return reason;
  }

  /** Whether the row is a status change, an event of the stream. */
  public boolean streamed() {
    return streamed;
  }

  /**
   * The code of a row of one of {@code events}, given SQL expressions of the row's {@code status},
   * {@code result} and {@code reason} (null: not compared, the event decides it): a CASE over the
   * codes of those events, null (refused by the column's NOT NULL) for what none of them says.
   */
  public static String codeOf(List<String> events, String status, String result, String reason) {
    return Stream.of(values())
        .filter(change -> events.contains(change.event))
        .map(
            change ->
                Stream.of(
                        matches(status, change.status),
                        matches(result, change.result),
                        matches(reason, change.reason))
                    .filter(Objects::nonNull)
                    .collect(Collectors.joining(" AND ", " WHEN ", " THEN " + change.code)))
        .collect(Collectors.joining("", "(CASE", " END)::smallint"));
  }

  /** The number of a worker's name, {@code name} an SQL expression (named on first use). */
  public static String workerOf(String name) {
    return "worker_id(" + name + ")";
  }

  private static String matches(String expression, String value) {
    if (expression == null) {
      return null;
    }
    return value == null ? expression + " IS NULL" : expression + " = '" + value + "'";
  }
}
