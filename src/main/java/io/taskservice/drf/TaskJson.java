package io.taskservice.drf;

import io.taskservice.domain.Task;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The task representation of the reference service's {@code ModelSerializer}. */
public final class TaskJson {
  private TaskJson() {}

  /** The representation's fields, in order. */
  static final String[] FIELDS = {
    "id", "title", "status", "result", "queue", "priority", "run_after", "created_at", "updated_at"
  };

  /** The values of {@link #FIELDS} for {@code task}, as {@link JsonRenderer} writes them. */
  static Object[] values(Task task) {
    return new Object[] {
      task.id(),
      task.title(),
      task.status().wire(),
      task.result() == null ? null : task.result().wire(),
      task.queue(),
      task.priority(),
      task.runAfter(),
      task.createdAt(),
      task.updatedAt()
    };
  }

  /**
   * As DRF's {@code DateTimeField}: Python's {@code isoformat()} in UTC with {@code Z}, so the
   * microseconds are left out when they are zero.
   */
  public static String timestamp(OffsetDateTime time) {
    return timestamp(new StringBuilder(27), time).toString();
  }

  /** {@link #timestamp(OffsetDateTime)} appended to {@code out}. */
  static StringBuilder timestamp(StringBuilder out, OffsetDateTime time) {
    // on the hot path of every answer: written digit by digit (String.format is several times
    // slower, and a string per field doubled the garbage of a bulk create's answer)
    OffsetDateTime utc =
        time.getOffset().equals(ZoneOffset.UTC) ? time : time.withOffsetSameInstant(ZoneOffset.UTC);
    pad(out, utc.getYear(), 4).append('-');
    pad(out, utc.getMonthValue(), 2).append('-');
    pad(out, utc.getDayOfMonth(), 2).append('T');
    pad(out, utc.getHour(), 2).append(':');
    pad(out, utc.getMinute(), 2).append(':');
    pad(out, utc.getSecond(), 2);
    int micros = utc.getNano() / 1000;
    if (micros != 0) {
      pad(out.append('.'), micros, 6);
    }
    return out.append('Z');
  }

  private static StringBuilder pad(StringBuilder out, int value, int width) {
    int limit = 1;
    for (int i = 1; i < width; i++) {
      limit *= 10;
    }
    if (value < 0 || value >= limit * 10) {
      return out.append(value);
    }
    for (int unit = limit; unit > 0; unit /= 10) {
      out.append((char) ('0' + value / unit % 10));
    }
    return out;
  }
}
