package io.taskservice;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.assertj.core.api.Assertions;

/** Waits for a condition by polling it, failing with a description when it never comes. */
public final class Await {
  private Await() {}

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        Assertions.fail("timed out after " + timeout + " waiting until " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
    }
  }

  /** Polls {@code probe} until it returns a value that {@code done} accepts; returns it. */
  public static <T> T until(
      String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = probe.get();
    while (!done.test(value)) {
      if (System.nanoTime() > deadline) {
        Assertions.fail(
            "timed out after " + timeout + " waiting until " + what + "; last: " + value);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
      value = probe.get();
    }
    return value;
  }
}
