package io.taskservice.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskservice.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The operator side of one node: readiness, the database probe, metrics, and what its HTTP servers
 * need from them — the outage fast path, {@code /health/*} and {@code /metrics}. Built once per
 * node, shared by its verticles.
 */
public final class Operations {
  private final Vertx vertx;
  private final Readiness readiness;
  private final DatabaseProbe probe;
  private final PrometheusMeterRegistry registry;
  private final TaskMetrics metrics;

  /**
   * @param metricsRegistry the registry name given to {@link Metrics#options} for this node's
   *     Vert.x
   * @param readiness the node's readiness conditions, reported by {@code /health/ready}
   */
  public Operations(Vertx vertx, AppConfig config, String metricsRegistry, Readiness readiness) {
    this.vertx = vertx;
    this.readiness = readiness;
    this.probe = new DatabaseProbe(vertx, config);
    this.registry = Metrics.registry(metricsRegistry);
    this.metrics = new TaskMetrics(registry, config.processingDelayMs(), config.leaseMs());
  }

  public Readiness readiness() {
    return readiness;
  }

  public DatabaseProbe probe() {
    return probe;
  }

  /** The task metrics; the worker reports to them directly, the API through {@code created}. */
  public TaskMetrics metrics() {
    return metrics;
  }

  /** The node's meter registry, for the meters of other layers. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Stops background work before Vert.x closes. */
  public void stop() {
    probe.stop();
  }

  /** {@code /health/*} and {@code /metrics}. */
  public void mountRoutes(Router router) {
    HealthRoutes.mount(router, vertx, readiness, probe);
    Metrics.mount(router, registry, metrics);
  }

  /** Whether {@code path} is one of the operator routes, which any host may address. */
  public static boolean isOperatorPath(String path) {
    return OpsPaths.isOperatorPath(path);
  }
}
