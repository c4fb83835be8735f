package io.taskservice.worker;

import io.taskservice.domain.Claim;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Claimed tasks waiting out the processing delay. Every task waits equally long, so the task whose
 * wait ends first is always the one claimed first: one Vert.x timer, armed for the head of the
 * line, serves any number of tasks in flight (a timer per task costs a scheduler entry and a close
 * hook each). Confined to the worker's event loop.
 */
final class DelayLine {
  /** Due within this much counts as due now, so the line is not re-armed for a fraction of a ms. */
  private static final long TOLERANCE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private record Waiting(long dueNanos, Claim claim) {}

  private final Vertx vertx;
  private final long delayNanos;
  private final Consumer<Claim> whenDue;
  private final ArrayDeque<Waiting> line = new ArrayDeque<>();
  private long timer = -1;

  DelayLine(Vertx vertx, long delayMs, Consumer<Claim> whenDue) {
    this.vertx = vertx;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
    this.whenDue = whenDue;
  }

  void add(Claim claim) {
    line.add(new Waiting(System.nanoTime() + delayNanos, claim));
    if (timer < 0) {
      arm();
    }
  }

  private void arm() {
    Waiting head = line.peek();
    if (head == null) {
      timer = -1;
      return;
    }
    long waitNanos = head.dueNanos() - System.nanoTime();
    long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999));
    timer = vertx.setTimer(waitMs, t -> release());
  }

  private void release() {
    long now = System.nanoTime();
    while (!line.isEmpty() && line.peek().dueNanos() - now <= TOLERANCE_NANOS) {
      whenDue.accept(line.poll().claim());
    }
    arm();
  }
}
