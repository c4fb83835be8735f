package io.taskservice.changefeed;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * The changes one read of the feed found, in history order, with their frames joined once for every
 * watcher that wants them all.
 *
 * @param events the changes
 * @param frames every event's frame, in order; null when the events have no frames
 * @param position where a stream opened after this batch starts: nothing after it is missed
 */
public record EventBatch(List<TaskEvent> events, Buffer frames, EventCursor position) {}
