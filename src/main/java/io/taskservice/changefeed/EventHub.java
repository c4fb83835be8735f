package io.taskservice.changefeed;

import io.vertx.core.Context;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands the change feed's batches to the node's listeners (one per HTTP verticle, plus the
 * dashboard's figures), each on its own context: the work per change is done once per node, not
 * once per watcher. Thread-safe.
 */
public final class EventHub {
  private record Listener(Context context, Consumer<EventBatch> consumer) {}

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile EventCursor position;
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger longPolls = new AtomicInteger();
  private final AtomicLong slowStreamsClosed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  // when the node's feed last reached the end of the log
  private volatile long caughtUpAtNanos = System.nanoTime();

  /** Calls {@code consumer} with every batch from now on, on {@code context}. */
  public Runnable listen(Context context, Consumer<EventBatch> consumer) {
    Listener listener = new Listener(context, consumer);
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Where a stream that starts now stands, or null while the feed has not read yet. */
  public EventCursor position() {
    return position;
  }

  /** Event streams open on this node. */
  public AtomicInteger streams() {
    return streams;
  }

  /** Long polls of this node waiting for their task. */
  public AtomicInteger longPolls() {
    return longPolls;
  }

  /** Streams closed because their client did not read fast enough. */
  public AtomicLong slowStreamsClosed() {
    return slowStreamsClosed;
  }

  /** History rows the feed left out because they are no change this service writes. */
  public AtomicLong skipped() {
    return skipped;
  }

  /**
   * How long since the node's feed last reached the end of the log: about its poll interval while
   * it keeps up; growing while it is behind or cannot read.
   */
  public long lagMillis() {
    return (System.nanoTime() - caughtUpAtNanos) / 1_000_000;
  }

  void caughtUp() {
    caughtUpAtNanos = System.nanoTime();
  }

  void started(EventCursor start) {
    position = start;
  }

  void publish(EventBatch batch) {
    position = batch.position();
    if (batch.events().isEmpty()) {
      return;
    }
    for (Listener listener : listeners) {
      listener.context().runOnContext(v -> listener.consumer().accept(batch));
    }
  }
}
