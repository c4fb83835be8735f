package io.taskservice.queues;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One value for all the verticles of a node, read again once it is older than its maximum age: the
 * first caller after that starts the read, callers meanwhile share it. Each caller gets the result
 * on its own context. A failed read is not kept.
 */
final class NodeCache<T> {
  private record Entry<T>(long startedNanos, Future<T> value) {}

  private final long maxAgeNanos;
  private final AtomicReference<Entry<T>> current = new AtomicReference<>();

  NodeCache(long maxAgeMs) {
    this.maxAgeNanos = maxAgeMs * 1_000_000;
  }

  /** The value, read by {@code read} unless a read started less than the maximum age ago. */
  Future<T> get(Supplier<Future<T>> read) {
    Entry<T> entry = current.get();
    long now = System.nanoTime();
    if (entry == null || now - entry.startedNanos() > maxAgeNanos || entry.value().failed()) {
      Promise<T> promise = Promise.promise();
      Entry<T> fresh = new Entry<>(now, promise.future());
      if (current.compareAndSet(entry, fresh)) {
        read.get().onComplete(promise);
        entry = fresh;
      } else {
        entry = current.get();
      }
    }
    Future<T> value = entry.value();
    if (value.isComplete()) {
      return value;
    }
    // the read completes on the context that started it: hand the result over to this one
    Context context = Vertx.currentContext();
    if (context == null) {
      return value;
    }
    Promise<T> mine = Promise.promise();
    value.onComplete(result -> context.runOnContext(v -> mine.handle(result)));
    return mine.future();
  }
}
