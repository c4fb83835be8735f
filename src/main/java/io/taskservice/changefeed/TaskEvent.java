package io.taskservice.changefeed;

import io.taskservice.domain.Task;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * One change of one task as the event stream sends it.
 *
 * @param task the task as the change left it
 * @param cursor the event's id: a resume from it gets exactly the changes after it
 * @param frame the whole Server-Sent Event, encoded once for all its watchers; null when no stream
 *     was open as the change was read (the dashboard's figures and long polls need no frame)
 */
public record TaskEvent(Task task, EventCursor cursor, Buffer frame) {
  private static final byte[] EVENT = "\nevent: task\ndata: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

  /** The event of one change, framed: {@code id}, {@code event: task}, the task's JSON as data. */
  public static TaskEvent of(Task task, EventCursor cursor, Buffer json) {
    Buffer frame =
        Buffer.buffer(json.length() + 64)
            .appendString("id: ")
            .appendString(cursor.encode())
            .appendBytes(EVENT)
            .appendBuffer(json)
            .appendBytes(END);
    return new TaskEvent(task, cursor, frame);
  }
}
