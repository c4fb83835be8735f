package io.taskservice.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.TaskStatus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The task meters, in Prometheus terms: {@code tasks_created_total}, {@code
 * tasks_finished_total{status}}, {@code tasks_in_flight}, {@code tasks_recovered_total{reason}},
 * {@code tasks_completion_seconds} (a histogram of the time from creation to the final status),
 * {@code tasks_worker_errors_total}, {@code tasks_pruned_total}, {@code tasks_worker_consumers} and
 * {@code tasks_event_streams}, {@code tasks_long_polls}, {@code tasks_event_streams_dropped_total},
 * {@code tasks_stored{status}} (the tasks in the database per status, exact as of the last fold,
 * about a second ago; NaN until the first). Every series exists from the start (at 0), so that
 * rates and alerts work before the first event. Thread-safe: one instance per node serves all its
 * verticles.
 */
public final class TaskMetrics implements WorkerStats {
  private final LongAdder created = new LongAdder();
  private final Map<TaskStatus, Counter> finished = new EnumMap<>(TaskStatus.class);
  private final Map<ClaimReason, Counter> recovered = new EnumMap<>(ClaimReason.class);
  private final Counter errors;
  private final Counter pruned;
  private final Timer completion;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, AtomicInteger> inFlightByBucket = new ConcurrentHashMap<>();
  private final AtomicInteger consumers = new AtomicInteger();
  private volatile Map<TaskStatus, Long> stored = Map.of();
  private final MeterRegistry registry;

  public TaskMetrics(MeterRegistry registry, long processingDelayMs, long leaseMs) {
    this.registry = registry;
    for (TaskStatus status :
        new TaskStatus[] {TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.CANCELLED}) {
      finished.put(
          status,
          Counter.builder("tasks.finished")
              .description(
                  "Tasks this node brought to a final status: its worker (done, failed), its API"
                      + " (cancelled)")
              .tag("status", status.wire())
              .register(registry));
    }
    for (ClaimReason reason :
        new ClaimReason[] {
          ClaimReason.NEW_UNCLAIMED, ClaimReason.LEASE_EXPIRED, ClaimReason.MEMBER_LEFT
        }) {
      recovered.put(
          reason,
          Counter.builder("tasks.recovered")
              .description(
                  "Tasks the recovery sweep claimed: new_unclaimed (message lost),"
                      + " lease_expired (holder died), member_left (holder left the cluster)")
              .tag("reason", reason.wire())
              .register(registry));
    }
    errors =
        Counter.builder("tasks.worker.errors")
            .description("Failed attempts of this node's worker to finish a task (retried)")
            .register(registry);
    pruned =
        Counter.builder("tasks.pruned")
            .description("Finished tasks this node's retention deleted (TASKS_RETENTION)")
            .register(registry);
    completion =
        Timer.builder("tasks.completion")
            .description("Time from a task's creation to its final status")
            .serviceLevelObjectives(buckets(processingDelayMs, leaseMs))
            .register(registry);
    Gauge.builder("tasks.in.flight", inFlight, AtomicInteger::get)
        .description("Tasks this node's worker holds (claimed, not finished)")
        .register(registry);
    Gauge.builder("tasks.worker.consumers", consumers, AtomicInteger::get)
        .description("Task consumers registered on the event bus by this node")
        .register(registry);
    for (TaskStatus status : TaskStatus.values()) {
      Gauge.builder("tasks.stored", this, m -> m.stored(status))
          .description("Tasks in the database per status (all nodes' tasks, exact each second)")
          .tag("status", status.wire())
          .register(registry);
    }
  }

  /**
   * Reports the watchers of this node's event streams and long polls.
   *
   * @param streams event streams open
   * @param longPolls long polls waiting for their task
   * @param dropped streams closed because their client did not read fast enough
   */
  public void watchers(AtomicInteger streams, AtomicInteger longPolls, AtomicLong dropped) {
    Gauge.builder("tasks.event.streams", streams, AtomicInteger::get)
        .description("Event streams (GET /api/v1/events/) open on this node")
        .register(registry);
    Gauge.builder("tasks.long.polls", longPolls, AtomicInteger::get)
        .description("Long polls (?wait=) of this node waiting for their task")
        .register(registry);
    FunctionCounter.builder("tasks.event.streams.dropped", dropped, AtomicLong::get)
        .description("Event streams closed because their client did not read fast enough")
        .register(registry);
  }

  /**
   * Reports the node's change feed: {@code tasks_changefeed_lag_seconds} (how long since it last
   * reached the end of the log: its poll interval while it keeps up) and {@code
   * tasks_changefeed_skipped_total} (history rows it left out as no change of this service).
   */
  public void changeFeed(LongSupplier lagMillis, AtomicLong skipped) {
    Gauge.builder("tasks.changefeed.lag", lagMillis, lag -> lag.getAsLong() / 1000.0)
        .description("Seconds since this node's change feed last reached the end of the log")
        .baseUnit("seconds")
        // the supplier is held by nothing else: a gauge keeps only a weak reference by default
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("tasks.changefeed.skipped", skipped, AtomicLong::get)
        .description("History rows the change feed left out: no change this service writes")
        .register(registry);
  }

  /** The exact counts per status, as read after the latest fold of the counts. */
  public void stored(Map<TaskStatus, Long> counts) {
    stored = Map.copyOf(counts);
  }

  private double stored(TaskStatus status) {
    Long n = stored.get(status);
    return n == null ? Double.NaN : n;
  }

  /**
   * Histogram buckets around what a task should take (the processing delay) and what recovery takes
   * (a lease plus the delay), so that both the normal case and stragglers are resolved.
   */
  static Duration[] buckets(long delayMs, long leaseMs) {
    TreeSet<Long> ms = new TreeSet<>();
    for (long extra : new long[] {50, 100, 250, 500, 1000, 2000, 5000, 10_000, 30_000}) {
      ms.add(delayMs + extra);
    }
    ms.add(leaseMs + delayMs);
    ms.add(leaseMs + delayMs + 5000);
    ms.add(2 * leaseMs + delayMs);
    ms.add(300_000L);
    ms.add(900_000L);
    return ms.stream().map(Duration::ofMillis).toArray(Duration[]::new);
  }

  /**
   * {@code tasks_created_total} in the Prometheus text format, for {@link Metrics} to append to the
   * registry's scrape (see there why it is not a Micrometer counter).
   */
  String createdText() {
    return "# HELP tasks_created_total Tasks created through the API on this node\n"
        + "# TYPE tasks_created_total counter\n"
        + "tasks_created_total "
        + (double) created.sum()
        + "\n";
  }

  /** A task was created through this node's API. */
  public void created() {
    created.increment();
  }

  @Override
  public void consumerStarted() {
    consumers.incrementAndGet();
  }

  @Override
  public void consumerStopped() {
    consumers.decrementAndGet();
  }

  @Override
  public void capacity(Map<String, Integer> limits) {
    limits.forEach(
        (bucket, limit) -> {
          Gauge.builder("tasks.worker.capacity", () -> limit)
              .description(
                  "Most tasks this node's worker holds at once per queue (* for every queue it"
                      + " does not name): TASKS_QUEUES")
              .tag("queue", bucket)
              .register(registry);
          Gauge.builder("tasks.worker.in.flight", bucketInFlight(bucket), AtomicInteger::get)
              .description("Tasks this node's worker holds per queue (* for the others)")
              .tag("queue", bucket)
              .register(registry);
        });
  }

  @Override
  public void inFlight(String bucket, int delta) {
    inFlight.addAndGet(delta);
    bucketInFlight(bucket).addAndGet(delta);
  }

  private AtomicInteger bucketInFlight(String bucket) {
    return inFlightByBucket.computeIfAbsent(bucket, b -> new AtomicInteger());
  }

  /** {@code n} tasks were cancelled through this node's API. */
  public void cancelled(int n) {
    finished.get(TaskStatus.CANCELLED).increment(n);
  }

  @Override
  public void recovered(ClaimReason reason) {
    Counter counter = recovered.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void finished(Completion completion) {
    Counter counter = finished.get(completion.outcome().status());
    if (counter != null) {
      counter.increment();
    }
    this.completion.record(completion.sinceCreation());
  }

  @Override
  public void error() {
    errors.increment();
  }

  /** Retention deleted {@code n} finished tasks. */
  public void pruned(int n) {
    pruned.increment(n);
  }
}
