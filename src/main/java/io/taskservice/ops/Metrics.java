package io.taskservice.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus metrics of a node, in one registry: Vert.x's own (HTTP server, SQL pool, event bus)
 * and the JVM's through vertx-micrometer-metrics, plus the task meters of {@link TaskMetrics}.
 * Served at {@code GET /metrics} in the Prometheus text format (version 0.0.4).
 *
 * <p>Not through vertx-micrometer's {@code PrometheusScrapingHandler}: the Prometheus client 1.x
 * under Micrometer reserves the {@code _created} suffix and would export a counter {@code
 * tasks.created} as {@code tasks_total}; {@link TaskMetrics#createdText()} adds {@code
 * tasks_created_total} to the scrape instead.
 */
public final class Metrics {
  public static final String PATH = "/metrics";
  // what PrometheusMeterRegistry.scrape() writes
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(Metrics.class);

  private Metrics() {}

  /**
   * The metrics options for the node's {@code VertxOptions}. Each node names its own registry, so
   * that several nodes in one JVM (tests) do not share counters.
   */
  public static MicrometerMetricsOptions options(String registryName) {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(registryName)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }

  /** The registry Vert.x created from {@link #options}; a registry of our own if it did not. */
  public static PrometheusMeterRegistry registry(String registryName) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    // the metrics factory is found through META-INF/services: a jar that lost it lands here
    log.warn("Vert.x metrics are not enabled; /metrics serves the task metrics only");
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static void mount(Router router, PrometheusMeterRegistry registry, TaskMetrics tasks) {
    router
        .get(PATH)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", CONTENT_TYPE)
                    .end(registry.scrape() + tasks.createdText()));
  }
}
