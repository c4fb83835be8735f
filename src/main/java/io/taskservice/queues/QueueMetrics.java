package io.taskservice.queues;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskservice.domain.TaskStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues' gauges, one set per node, read again at most once a second: {@code
 * tasks_queue_tasks{queue,status}} (exact, from the counts), {@code
 * tasks_queue_oldest_new_age_seconds{queue}} (0 when no task is due) and {@code
 * tasks_queue_paused{queue}} (1 or 0), for every queue that exists. A queue that no longer exists
 * loses its series.
 */
final class QueueMetrics {
  private static final Logger log = LoggerFactory.getLogger(QueueMetrics.class);
  static final long REFRESH_MS = 1000;

  /** The latest values of one queue, read by its gauges. */
  private static final class Values {
    volatile QueueState state;
    final List<Meter> meters = new ArrayList<>();

    double count(TaskStatus status) {
      return state.count(status);
    }

    double oldestAge() {
      Double age = state.oldestAge();
      return age == null ? 0 : age;
    }

    double paused() {
      return state.settings().paused() ? 1 : 0;
    }
  }

  private final MeterRegistry registry;
  private final AtomicLong lastRefresh = new AtomicLong();
  private final Map<String, Values> queues = new HashMap<>();
  private boolean refreshed;

  QueueMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Reads the queues again unless this node did less than a second ago. */
  void refreshIfDue(QueueReads reads) {
    long now = System.nanoTime();
    long last = lastRefresh.get();
    synchronized (this) {
      if (refreshed && now - last < (REFRESH_MS - 50) * 1_000_000) {
        return;
      }
      if (!lastRefresh.compareAndSet(last, now)) {
        return;
      }
      refreshed = true;
    }
    reads
        .all()
        .compose(reads::complete)
        .onSuccess(this::publish)
        .onFailure(e -> log.debug("Queue metrics not refreshed: {}", e.toString()));
  }

  private synchronized void publish(List<QueueState> states) {
    Set<String> present = new HashSet<>();
    for (QueueState state : states) {
      present.add(state.name());
      queues.computeIfAbsent(state.name(), this::register).state = state;
    }
    queues
        .entrySet()
        .removeIf(
            e -> {
              if (present.contains(e.getKey())) {
                return false;
              }
              e.getValue().meters.forEach(registry::remove);
              return true;
            });
  }

  private Values register(String queue) {
    Values values = new Values();
    for (TaskStatus status : TaskStatus.values()) {
      values.meters.add(
          Gauge.builder("tasks.queue.tasks", values, v -> v.count(status))
              .description("Tasks per queue and status (exact, read at most once a second)")
              .tag("queue", queue)
              .tag("status", status.wire())
              .register(registry));
    }
    values.meters.add(
        Gauge.builder("tasks.queue.oldest.new.age", values, Values::oldestAge)
            .description("Seconds since the queue's oldest due new task fell due (0: none waits)")
            .baseUnit("seconds")
            .tag("queue", queue)
            .register(registry));
    values.meters.add(
        Gauge.builder("tasks.queue.paused", values, Values::paused)
            .description("1 while the queue is paused (no new claims anywhere), else 0")
            .tag("queue", queue)
            .register(registry));
    return values;
  }
}
