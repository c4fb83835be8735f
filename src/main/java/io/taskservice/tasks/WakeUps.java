package io.taskservice.tasks;

import io.taskservice.bus.Addresses;
import io.taskservice.domain.Task;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tells the workers that a queue has tasks to claim, after the creates committed: one wake-up per
 * queue per turn of the event loop, however many tasks it created. A task scheduled soon gets a
 * timer that wakes its queue when it falls due; later ones are found by the workers' own reads of
 * the next due time. A lost wake-up only delays a task until a worker's sweep. One per verticle.
 */
final class WakeUps {
  private final Vertx vertx;
  private final EventBus bus;
  private final long soonMs;
  private final Set<String> pending = new LinkedHashSet<>();

  /**
   * @param soonMs scheduled tasks due within this many ms get a timer here (the workers read the
   *     next due time once per sweep interval)
   */
  WakeUps(Vertx vertx, long soonMs) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.soonMs = soonMs;
  }

  /**
   * {@code task} was just created (or is a replay of a create whose wake-up may have been lost).
   */
  void created(Task task) {
    long dueInMs =
        task.runAfter() == null
            ? 0
            : Duration.between(task.createdAt(), task.runAfter()).toMillis() + 1;
    if (dueInMs <= 0) {
      wake(task.queue());
    } else if (dueInMs <= soonMs) {
      // both times are the database's: no clock of this node is involved
      vertx.setTimer(dueInMs, t -> wake(task.queue()));
    }
  }

  /**
   * Task {@code id} was cancelled while a worker held it (the cancel committed): its holder drops
   * it at once. A lost message costs nothing: the holder's completion misses the cleared claim.
   */
  void cancelled(long id) {
    bus.publish(Addresses.CANCELLED, id);
  }

  /** Wakes {@code queue}'s consumers at the end of this turn of the event loop. */
  void wake(String queue) {
    if (pending.isEmpty()) {
      vertx.runOnContext(v -> flush());
    }
    pending.add(queue);
  }

  private void flush() {
    pending.forEach(queue -> bus.publish(Addresses.WAKE_UP, queue));
    pending.clear();
  }
}
