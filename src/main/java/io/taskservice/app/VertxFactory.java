package io.taskservice.app;

import io.taskservice.cluster.ClusterSetup;
import io.taskservice.cluster.Membership;
import io.taskservice.config.AppConfig;
import io.taskservice.ops.Metrics;
import io.taskservice.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;

/**
 * Makes a node's Vert.x instance, all its options set here: metrics on, in the node's own registry;
 * a cluster member when configured.
 */
final class VertxFactory {
  private VertxFactory() {}

  static Future<Vertx> create(
      AppConfig config, String metricsRegistry, Readiness readiness, Membership members) {
    VertxOptions options = new VertxOptions().setMetricsOptions(Metrics.options(metricsRegistry));
    VertxBuilder builder = Vertx.builder();
    return config.cluster()
        ? ClusterSetup.buildClustered(
            builder, options, config, readiness.addUp(Readiness.CLUSTER), members)
        : Future.succeededFuture(builder.with(options).build());
  }
}
