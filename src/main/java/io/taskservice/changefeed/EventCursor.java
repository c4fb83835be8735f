package io.taskservice.changefeed;

import java.util.Optional;

/**
 * Where a client of the event stream stands, as the {@code id} of each event: the change at history
 * row {@code seq} of the transaction logged at position {@code pos} of the change feed's
 * commit-order log. A resume from it delivers exactly the changes after it, {@code (pos, seq)} in
 * order (see docs/change-feed.md).
 *
 * @param epoch the log's epoch: a cursor of another epoch (another server) is not honoured
 * @param pos a position of the log
 * @param seq a history row of that position's transaction; 0 is before all of them
 */
public record EventCursor(int epoch, long pos, long seq) implements Comparable<EventCursor> {
  // keeps pos + any span of a read within a long
  private static final long MAX_POS = Long.MAX_VALUE / 4;

  /** After every change of the positions up to {@code pos}. */
  public static EventCursor after(int epoch, long pos) {
    return new EventCursor(epoch, pos + 1, 0);
  }

  /** Whether this cursor comes after {@code other} (the epochs aside). */
  public boolean isAfter(EventCursor other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(EventCursor other) {
    int byPos = Long.compare(pos, other.pos);
    return byPos != 0 ? byPos : Long.compare(seq, other.seq);
  }

  /** The wire form: three numbers, opaque to clients. */
  public String encode() {
    return epoch + ":" + pos + ":" + seq;
  }

  /** The cursor, or empty when {@code text} is not one this service writes. */
  public static Optional<EventCursor> decode(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.trim().split(":", -1);
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
    if (numbers[0] > Integer.MAX_VALUE || numbers[1] > MAX_POS) {
      return Optional.empty();
    }
    return Optional.of(new EventCursor((int) numbers[0], numbers[1], numbers[2]));
  }
}
