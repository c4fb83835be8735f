package io.taskservice.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for conditions by polling them on Vert.x timers, up to a deadline; never sleeps. */
public final class Await {
  private static final long POLL_MS = 50;

  private Await() {}

  /**
   * Probes until {@code done} accepts the probed value; fails with the last value seen once {@code
   * within} has passed.
   */
  public static <T> Future<T> until(
      Vertx vertx, Duration within, Supplier<Future<T>> probe, Predicate<T> done) {
    return poll(vertx, System.nanoTime() + within.toNanos(), within, probe, done);
  }

  private static <T> Future<T> poll(
      Vertx vertx, long deadline, Duration within, Supplier<Future<T>> probe, Predicate<T> done) {
    return probe
        .get()
        .compose(
            value -> {
              if (done.test(value)) {
                return Future.succeededFuture(value);
              }
              if (System.nanoTime() - deadline > 0) {
                return Future.failedFuture(
                    new AssertionError("not reached within " + within + "; last seen: " + value));
              }
              return vertx.timer(POLL_MS).compose(t -> poll(vertx, deadline, within, probe, done));
            });
  }
}
