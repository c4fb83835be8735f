package io.taskservice.dashboard;

import io.vertx.core.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One database read shared by every viewer of a node: answered from memory while younger than its
 * interval, otherwise read again — once, however many callers ask meanwhile (they all wait for the
 * same read). So the database sees at most one read per interval per node, whether ten dashboards
 * are open or one. A failed read is not kept: the next caller tries again.
 */
final class SharedRead<T> {
  private final Supplier<Future<T>> read;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private T value;
  private long readAt;
  private boolean hasValue;
  private Future<T> pending;
  private long reads;

  SharedRead(Supplier<Future<T>> read, long intervalMs, LongSupplier nanoTime) {
    this.read = read;
    this.intervalNanos = intervalMs * 1_000_000;
    this.nanoTime = nanoTime;
  }

  synchronized Future<T> get() {
    if (hasValue && nanoTime.getAsLong() - readAt < intervalNanos) {
      return Future.succeededFuture(value);
    }
    if (pending != null) {
      return pending;
    }
    reads++;
    long started = nanoTime.getAsLong();
    Future<T> reading = read.get();
    pending = reading;
    // may complete at once, on this thread
    reading.onComplete(result -> done(reading, result.succeeded(), result.result(), started));
    return reading;
  }

  private synchronized void done(Future<T> reading, boolean succeeded, T result, long started) {
    if (pending == reading) {
      pending = null;
    }
    if (succeeded) {
      value = result;
      // fresh from when it was asked for, so a slow read does not stretch the interval
      readAt = started;
      hasValue = true;
    }
  }

  /** How many reads reached the database so far. */
  synchronized long reads() {
    return reads;
  }
}
