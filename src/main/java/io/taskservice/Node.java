package io.taskservice;

import io.taskservice.api.HttpVerticle;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.db.Migrations;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.ops.Metrics;
import io.taskservice.ops.Operations;
import io.taskservice.ops.OpsHttpVerticle;
import io.taskservice.ops.Readiness;
import io.taskservice.worker.TaskWorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: a Vert.x instance with the verticles of its role. The HTTP side starts at once
 * (the API answers 503 and {@code /health/ready} is not ready while the database is away); the
 * schema is migrated in the background, retrying until PostgreSQL answers; workers start once the
 * schema is there. A worker-only node serves {@code /health/*} and {@code /metrics}.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private static final long MIGRATION_RETRY_MS = 2000;

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Operations ops;
  private final Readiness.Condition schema;
  private final Readiness.Condition consuming;
  private final AtomicReference<IntSupplier> port = new AtomicReference<>(() -> -1);
  private volatile Future<?> startup = Future.succeededFuture();
  private volatile String workerDeployment;

  private Node(Vertx vertx, AppConfig config, String metricsRegistry) {
    this.vertx = vertx;
    this.config = config;
    this.pool = Database.pool(vertx, config);
    this.ops = new Operations(vertx, config, metricsRegistry);
    this.schema = ops.readiness().add(Readiness.SCHEMA, "database schema not migrated yet");
    this.consuming =
        config.role().processes()
            ? ops.readiness().add(Readiness.WORKER, "worker not consuming yet")
            : null;
    ops.readiness().addUp(Readiness.CLUSTER);
  }

  /**
   * Starts a node on a new Vert.x instance. Completes when its HTTP port listens; {@link
   * #startup()} tells when the schema is migrated and the worker runs.
   */
  public static Future<Node> start(AppConfig config) {
    String metricsRegistry = "task-service-" + UUID.randomUUID();
    Vertx vertx = Vertx.vertx(vertxOptions(metricsRegistry));
    Node node = new Node(vertx, config, metricsRegistry);
    return node.deploy().map(node).onFailure(failure -> vertx.close());
  }

  /** The options of every node's Vert.x: metrics on, in the node's own registry. */
  static VertxOptions vertxOptions(String metricsRegistry) {
    return new VertxOptions().setMetricsOptions(Metrics.options(metricsRegistry));
  }

  private Future<?> deploy() {
    ops.probe().start();
    Future<?> http = config.role().servesApi() ? deployHttp() : deployOpsHttp();
    return http.onSuccess(
        id -> {
          startup =
              migrate()
                  .onSuccess(n -> schema.up())
                  .compose(
                      n -> config.role().processes() ? deployWorker() : Future.succeededFuture());
        });
  }

  private Future<String> deployHttp() {
    return vertx
        .deployVerticle(
            () -> {
              HttpVerticle verticle =
                  new HttpVerticle(config, pool, ops.apiMetrics(), ops.httpSetup());
              port.set(verticle::port);
              return verticle;
            },
            new DeploymentOptions().setInstances(config.effectiveHttpInstances()))
        .onSuccess(
            id ->
                log.info(
                    "HTTP API on port {} ({} instances{})",
                    port(),
                    config.effectiveHttpInstances(),
                    config.tls() ? ", HTTPS" : ""));
  }

  private Future<String> deployOpsHttp() {
    OpsHttpVerticle verticle = new OpsHttpVerticle(config.httpPort(), ops.httpSetup());
    port.set(verticle::port);
    return vertx
        .deployVerticle(verticle)
        .onSuccess(id -> log.info("Health and metrics on port {}", port()));
  }

  private Future<String> deployWorker() {
    return vertx
        .deployVerticle(
            new TaskWorkerVerticle(
                config, pool, new TitleParityPolicy(), ops.workerStats(consuming)))
        .onSuccess(
            id -> {
              workerDeployment = id;
              log.info(
                  "Worker started: delay {} ms, lease {} ms",
                  config.processingDelayMs(),
                  config.leaseMs());
            });
  }

  private Future<Integer> migrate() {
    Migrations migrations = new Migrations(config);
    return vertx
        .executeBlocking(migrations::run)
        .recover(
            failure -> {
              if (!isConnectivity(failure)) {
                return Future.failedFuture(failure);
              }
              log.warn(
                  "PostgreSQL at {} is not reachable yet ({}); retrying in {} ms",
                  config.redactedDbUrl(),
                  rootMessage(failure),
                  MIGRATION_RETRY_MS);
              return vertx.timer(MIGRATION_RETRY_MS).compose(v -> migrate());
            });
  }

  private static boolean isConnectivity(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /**
   * Completes once the schema is migrated and, on nodes that process tasks, the worker consumes;
   * fails when that can never happen (e.g. the database is missing and cannot be created).
   */
  public Future<?> startup() {
    return startup;
  }

  /** The HTTP port actually bound (API, or health and metrics on a worker-only node). */
  public int port() {
    return port.get().getAsInt();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Readiness conditions, for the parts of the node that raise and lower them. */
  public Readiness readiness() {
    return ops.readiness();
  }

  /**
   * Stops gracefully: the worker first, while the pool is still open, so that it can finish or hand
   * back its tasks (Vert.x closes deployments and the pool at the same time); then the rest.
   */
  public Future<Void> close() {
    ops.stop();
    String worker = workerDeployment;
    if (worker == null) {
      return vertx.close();
    }
    // chained outside Vert.x: its callbacks would be scheduled on event loops that close
    return Future.fromCompletionStage(
        vertx
            .undeploy(worker)
            .toCompletionStage()
            .handle((done, failure) -> (Void) null)
            .thenCompose(v -> vertx.close().toCompletionStage()));
  }
}
