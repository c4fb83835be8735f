package io.taskservice.dashboard;

import io.taskservice.domain.Task;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the dashboard shows about the whole cluster, kept by each HTTP node in memory and shared by
 * all its viewers: exact counts per status and tasks in flight per worker, each read from the
 * database at most once a second per node (and only while someone looks), and the recent activity
 * (throughput, completion times) built from the change feed this node follows anyway. No viewer
 * causes a database read of its own.
 */
public final class ClusterStats {
  /** How old a count may be before the next viewer's call reads it again. */
  public static final long REFRESH_MS = 1000;

  private final Clock clock;
  private final TaskActivity activity;
  private final SharedRead<Map<String, Map<TaskStatus, Long>>> counts;
  private final SharedRead<List<WorkerLoads.Load>> workers;

  /**
   * @param counts the exact count per status of each queue, or null when this node cannot count
   *     cheaply
   */
  public ClusterStats(
      Supplier<Future<Map<String, Map<TaskStatus, Long>>>> counts,
      WorkerLoads workers,
      Clock clock) {
    this(counts, workers, clock, System::nanoTime);
  }

  /**
   * @param nanoTime the monotonic clock that ages the figures read from the database
   */
  ClusterStats(
      Supplier<Future<Map<String, Map<TaskStatus, Long>>>> counts,
      WorkerLoads workers,
      Clock clock,
      LongSupplier nanoTime) {
    this.clock = clock;
    this.activity = new TaskActivity(clock.instant());
    this.counts = counts == null ? null : new SharedRead<>(counts, REFRESH_MS, nanoTime);
    this.workers = new SharedRead<>(workers::read, REFRESH_MS, nanoTime);
  }

  /** One change of one task, as the change feed reports it (any node's change). */
  public void changed(Task task) {
    activity.record(
        task.id(),
        task.status(),
        task.createdAt().toInstant(),
        task.updatedAt().toInstant(),
        clock.instant());
  }

  /** The current figures; fails like the database when a due read fails. */
  public Future<Stats> read() {
    return read(Optional.empty());
  }

  /** The current figures, the counts of one queue or of all. */
  public Future<Stats> read(Optional<String> queue) {
    Future<Optional<Map<TaskStatus, Long>>> counted =
        counts == null
            ? Future.succeededFuture(Optional.empty())
            : counts.get().map(byQueue -> Optional.of(countsOf(byQueue, queue)));
    Future<List<WorkerLoads.Load>> loads = workers.get();
    return Future.all(counted, loads)
        .map(
            all -> new Stats(counted.result(), loads.result(), activity.snapshot(clock.instant())));
  }

  private static Map<TaskStatus, Long> countsOf(
      Map<String, Map<TaskStatus, Long>> byQueue, Optional<String> queue) {
    if (queue.isPresent()) {
      return byQueue.getOrDefault(queue.get(), Map.of());
    }
    Map<TaskStatus, Long> all = new EnumMap<>(TaskStatus.class);
    byQueue.values().forEach(counts -> counts.forEach((s, n) -> all.merge(s, n, Long::sum)));
    return all;
  }

  /** Database reads made for viewers so far (counts and worker loads). */
  public long databaseReads() {
    return (counts == null ? 0 : counts.reads()) + workers.reads();
  }

  /**
   * @param counts exact count per status, empty when not available on this node
   * @param workers tasks in flight per worker
   * @param activity the throughput series and completion percentiles
   */
  public record Stats(
      Optional<Map<TaskStatus, Long>> counts,
      List<WorkerLoads.Load> workers,
      TaskActivity.Snapshot activity) {}
}
