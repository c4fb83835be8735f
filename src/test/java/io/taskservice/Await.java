package io.taskservice;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;

/**
 * Waits for a condition by polling it up to a deadline, never sleeping a fixed time: on Vert.x
 * timers for asynchronous probes, or parking the test thread between blocking probes.
 */
public final class Await {
  private static final long POLL_MS = 50;

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

  /** Polls the blocking {@code probe} until {@code done} accepts its value; returns it. */
  public static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = probe.get();
    while (!done.test(value)) {
      if (System.nanoTime() > deadline) {
        Assertions.fail(
            "timed out after " + timeout + " waiting until " + what + "; last: " + value);
      }
      LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
      value = probe.get();
    }
    return value;
  }

  private Await() {}
}
