package io.taskservice.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskservice.api.ApiMetrics;
import io.taskservice.api.HttpSetup;
import io.taskservice.config.AppConfig;
import io.taskservice.db.TaskCounts;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.worker.WorkerStats;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator side of one node: readiness, the database probe, metrics, and what its HTTP servers
 * need from them — TLS, the security controls of the configuration, {@code /health/*} and {@code
 * /metrics}. Built once per node, shared by its verticles.
 */
public final class Operations {
  private final Vertx vertx;
  private final AppConfig config;
  private final Readiness readiness;
  private final DatabaseProbe probe;
  private final PrometheusMeterRegistry registry;
  private final TaskMetrics metrics;
  private final OverloadGuard overload;

  /**
   * @param metricsRegistry the registry name given to {@link Metrics#options} for this node's
   *     Vert.x
   * @param readiness the node's readiness conditions, reported by {@code /health/ready}
   */
  public Operations(Vertx vertx, AppConfig config, String metricsRegistry, Readiness readiness) {
    this.vertx = vertx;
    this.config = config;
    this.readiness = readiness;
    this.probe = new DatabaseProbe(vertx, config);
    this.registry = Metrics.registry(metricsRegistry);
    this.metrics = new TaskMetrics(registry, config.processingDelayMs(), config.leaseMs());
    this.overload = new OverloadGuard(config.maxPending(), config.bodyLimitBytes(), registry);
  }

  public Readiness readiness() {
    return readiness;
  }

  public DatabaseProbe probe() {
    return probe;
  }

  public ApiMetrics apiMetrics() {
    return metrics;
  }

  /** Metrics, and the worker readiness condition: up while the consumer is registered. */
  public WorkerStats workerStats(Readiness.Condition consuming) {
    return new WorkerStats() {
      @Override
      public void consumerStarted() {
        metrics.consumerStarted();
        consuming.up();
      }

      @Override
      public void consumerStopped() {
        metrics.consumerStopped();
        consuming.down("worker stopped consuming");
      }

      @Override
      public void inFlight(int delta) {
        metrics.inFlight(delta);
      }

      @Override
      public void recovered(ClaimReason reason) {
        metrics.recovered(reason);
      }

      @Override
      public void finished(Completion completion) {
        metrics.finished(completion);
      }

      @Override
      public void error() {
        metrics.error();
      }
    };
  }

  /** Folds the exact counts and feeds them to the metrics; one per node. */
  public CountsVerticle countsVerticle(Pool pool) {
    return new CountsVerticle(new TaskCounts(pool, config.dbTimeoutMs()), metrics::stored);
  }

  /** TLS, security controls and operator routes for the node's HTTP servers. */
  public HttpSetup httpSetup() {
    return new HttpSetup(serverOptions(config), guards(), this::mountRoutes, config.accessLog());
  }

  /** Stops background work before Vert.x closes. */
  public void stop() {
    probe.stop();
  }

  /** Plain HTTP, or HTTPS only when TASKS_TLS_CERT and TASKS_TLS_KEY name PEM files. */
  static HttpServerOptions serverOptions(AppConfig config) {
    HttpServerOptions options = new HttpServerOptions();
    if (config.tls()) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()));
    }
    return options;
  }

  /**
   * In order: headers on every answer, then Host, then token, then the outage fast path, then the
   * bound on work in progress.
   */
  private List<Handler<RoutingContext>> guards() {
    List<Handler<RoutingContext>> guards = new ArrayList<>();
    guards.add(new SecurityHeaders(config.tls())::handle);
    if (!config.allowedHosts().isEmpty()) {
      guards.add(new AllowedHosts(config.allowedHosts())::handle);
    }
    if (!config.apiTokens().isEmpty()) {
      guards.add(new BearerTokens(config.apiTokens())::handle);
    }
    guards.add(new OutageGuard(probe)::handle);
    // last: a request refused for any reason above never takes a place
    guards.add(overload::handle);
    return guards;
  }

  private void mountRoutes(Router router) {
    HealthRoutes.mount(router, vertx, readiness, probe);
    Metrics.mount(router, registry, metrics);
  }
}
