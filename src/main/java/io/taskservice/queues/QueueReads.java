package io.taskservice.queues;

import io.taskservice.counts.TaskCounts;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads queues as the API shows them, in a fixed number of statements whatever their number: one
 * page of queues with their settings, counts and consumers (or, for the metrics, the exact counts
 * of every queue holding tasks, then the settings and consumers of every queue), then the oldest
 * due task of only the queues asked for that have new tasks, and the scheduled and stalled counts
 * from the node's cache (one read a second per node).
 */
final class QueueReads {
  static final long WAITING_MAX_AGE_MS = 1000;

  private final QueueRepository queues;
  private final TaskCounts counts;
  private final NodeCache<Map<String, Waiting>> waiting;

  QueueReads(QueueRepository queues, TaskCounts counts, NodeCache<Map<String, Waiting>> waiting) {
    this.queues = queues;
    this.counts = counts;
    this.waiting = waiting;
  }

  /**
   * Every queue, in name order, each with its settings, counts and consumers only (the metrics,
   * once a second).
   */
  Future<List<QueueState>> all() {
    return counts
        .byQueue()
        .compose(
            byQueue ->
                queues.all(List.copyOf(byQueue.keySet())).map(listed -> states(listed, byQueue)));
  }

  /** One page of queues as {@link #all()} lists them. */
  record Page(long total, List<QueueState> queues) {}

  /**
   * The {@code limit} queues from {@code offset} in name order, each with its settings, counts and
   * consumers only, and how many queues there are: one statement.
   */
  Future<Page> page(int limit, long offset) {
    return queues
        .page(limit, offset)
        .map(
            page -> {
              List<QueueState> states = new ArrayList<>(page.rows().size());
              for (QueueRepository.Counted q : page.rows()) {
                states.add(state(q.queue(), q.counts()));
              }
              return new Page(page.total(), states);
            });
  }

  private static List<QueueState> states(
      List<QueueRepository.Listed> listed, Map<String, Map<TaskStatus, Long>> byQueue) {
    List<QueueState> states = new ArrayList<>(listed.size());
    for (QueueRepository.Listed q : listed) {
      states.add(state(q, wire(byQueue.get(q.name()))));
    }
    return states;
  }

  private static QueueState state(QueueRepository.Listed q, Map<String, Long> counts) {
    return new QueueState(
        q.name(),
        new Settings(q.paused(), q.maxRunning()),
        counts,
        Waiting.NONE,
        null,
        q.consumers());
  }

  /**
   * {@code some} (from {@link #all()}) completed with their oldest due task, scheduled and stalled
   * counts.
   */
  Future<List<QueueState>> complete(List<QueueState> some) {
    List<String> waiting = new ArrayList<>();
    some.stream().filter(q -> q.count(TaskStatus.NEW) > 0).forEach(q -> waiting.add(q.name()));
    return queues
        .oldestAges(waiting)
        .compose(
            ages ->
                waiting()
                    .map(
                        waitingCounts -> {
                          List<QueueState> completed = new ArrayList<>(some.size());
                          for (QueueState q : some) {
                            completed.add(
                                new QueueState(
                                    q.name(),
                                    q.settings(),
                                    q.counts(),
                                    waitingCounts.getOrDefault(q.name(), Waiting.NONE),
                                    ages.get(q.name()),
                                    q.consumers()));
                          }
                          return completed;
                        }));
  }

  /** One queue, or empty when none exists by that name. */
  Future<Optional<QueueState>> one(String name) {
    return queues
        .one(name)
        .compose(
            q ->
                !q.exists()
                    ? Future.succeededFuture(Optional.empty())
                    : waiting()
                        .map(
                            waitingCounts ->
                                Optional.of(
                                    new QueueState(
                                        name,
                                        new Settings(q.paused(), q.maxRunning()),
                                        q.counts(),
                                        waitingCounts.getOrDefault(name, Waiting.NONE),
                                        q.oldestAge(),
                                        q.consumers()))));
  }

  private Future<Map<String, Waiting>> waiting() {
    return waiting.get(queues::waiting);
  }

  private static Map<String, Long> wire(Map<TaskStatus, Long> counts) {
    Map<String, Long> wire = new HashMap<>();
    if (counts != null) {
      counts.forEach((status, n) -> wire.put(status.wire(), n));
    }
    return wire;
  }
}
