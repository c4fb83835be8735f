package io.taskservice.queues;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;

/**
 * What the HTTP verticles of one node share about queues: the scheduled and stalled counts (one
 * read a second for the node) and the gauges. Kept in the node's local shared data, so that every
 * verticle's {@link QueueRoutes} finds the same one.
 */
final class QueueNode implements Shareable {
  private static final String KEY = QueueNode.class.getName();

  final NodeCache<Map<String, Waiting>> waiting = new NodeCache<>(QueueReads.WAITING_MAX_AGE_MS);
  final QueueMetrics metrics;

  private QueueNode(MeterRegistry registry) {
    this.metrics = new QueueMetrics(registry);
  }

  static QueueNode of(Vertx vertx, MeterRegistry registry) {
    LocalMap<String, QueueNode> shared = vertx.sharedData().getLocalMap(KEY);
    synchronized (QueueNode.class) {
      QueueNode node = shared.get(KEY);
      if (node == null) {
        node = new QueueNode(registry);
        shared.put(KEY, node);
      }
      return node;
    }
  }
}
