package io.taskservice.changefeed;

import java.util.Optional;

/**
 * Where a client of the event stream stands, as the {@code id} of each event: a resume from it
 * delivers every change of a transaction from {@code lo} on, except those with a transaction below
 * {@code hi} and a history seq up to {@code seq} (the read that produced this event saw all of
 * those, in seq order). {@code lo} is the oldest transaction still running when the previous read
 * was taken, {@code hi} the same for this event's own read.
 *
 * @param lo every transaction below it had ended when the changes before this event were read
 * @param hi every transaction below it had ended when this event was read
 * @param seq this event's place in the history
 */
public record EventCursor(long lo, long hi, long seq) {
  /**
   * A position that delivers whatever commits after a read whose oldest running xid was {@code
   * xmin}.
   */
  public static EventCursor at(long xmin) {
    return new EventCursor(xmin, xmin, 0);
  }

  /** The wire form: three numbers, opaque to clients. */
  public String encode() {
    return lo + "-" + hi + "-" + seq;
  }

  /** The cursor, or empty when {@code text} is not one this service wrote. */
  public static Optional<EventCursor> decode(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.trim().split("-", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    long[] numbers = new long[3];
    for (int i = 0; i < 3; i++) {
      if (parts[i].isEmpty()
          || parts[i].length() > 18
          || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      numbers[i] = Long.parseLong(parts[i]);
    }
    if (numbers[0] > numbers[1]) {
      return Optional.empty();
    }
    return Optional.of(new EventCursor(numbers[0], numbers[1], numbers[2]));
  }
}
