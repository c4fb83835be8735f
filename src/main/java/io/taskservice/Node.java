package io.taskservice;

import io.taskservice.api.HttpSetup;
import io.taskservice.api.HttpVerticle;
import io.taskservice.api.KeyExpiryVerticle;
import io.taskservice.api.OpsHttpVerticle;
import io.taskservice.cluster.ClusterSetup;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.db.IdempotencyKeys;
import io.taskservice.db.Migrations;
import io.taskservice.db.TaskCounts;
import io.taskservice.db.TaskHistory;
import io.taskservice.db.TaskRetention;
import io.taskservice.db.WorkerLoads;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.events.ChangeFeedVerticle;
import io.taskservice.events.EventHub;
import io.taskservice.ops.Failures;
import io.taskservice.ops.Metrics;
import io.taskservice.ops.Operations;
import io.taskservice.ops.Readiness;
import io.taskservice.stats.ClusterStats;
import io.taskservice.worker.RetentionVerticle;
import io.taskservice.worker.TaskWorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
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
  // in deployment order: the HTTP side first, then the worker
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private Future<Void> closing;
  // the latest deployment start-up made after the migration; close() waits for it
  private Future<String> lateDeployment;
  // the change feed's batches, for every stream, long poll and the dashboard's figures
  private final EventHub hub = new EventHub();

  private Node(Vertx vertx, AppConfig config, String metricsRegistry, Readiness readiness) {
    this.vertx = vertx;
    this.config = config;
    this.pool = Database.pool(vertx, config);
    this.ops = new Operations(vertx, config, metricsRegistry, readiness);
    this.schema = ops.readiness().add(Readiness.SCHEMA, "database schema not migrated yet");
    this.consuming =
        config.role().processes()
            ? ops.readiness().add(Readiness.WORKER, "worker not consuming yet")
            : null;
  }

  /**
   * Starts a node on a new Vert.x instance. Completes when its HTTP port listens; {@link
   * #startup()} tells when the schema is migrated and the worker runs.
   */
  public static Future<Node> start(AppConfig config) {
    String metricsRegistry = "task-service-" + UUID.randomUUID();
    Readiness readiness = new Readiness();
    return createVertx(config, metricsRegistry, readiness)
        .compose(
            vertx -> {
              Node node = new Node(vertx, config, metricsRegistry, readiness);
              return node.deploy().map(node).onFailure(failure -> vertx.close());
            });
  }

  /**
   * The node's Vert.x instance, all its options set here: metrics on, in the node's own registry; a
   * cluster member when configured.
   */
  private static Future<Vertx> createVertx(
      AppConfig config, String metricsRegistry, Readiness readiness) {
    VertxOptions options = new VertxOptions().setMetricsOptions(Metrics.options(metricsRegistry));
    VertxBuilder builder = Vertx.builder();
    return config.cluster()
        ? ClusterSetup.buildClustered(builder, options, config, readiness.addUp(Readiness.CLUSTER))
        : Future.succeededFuture(builder.with(options).build());
  }

  private Future<?> deploy() {
    if (config.role().processes()) {
      shortLease(config).ifPresent(log::warn);
    }
    ops.probe().start();
    Future<?> http = config.role().servesApi() ? deployHttp() : deployOpsHttp();
    return http.onSuccess(
        id -> {
          startup =
              migrate()
                  .onSuccess(n -> schema.up())
                  .compose(n -> deployUnlessClosing(this::deployCounts))
                  .compose(
                      n ->
                          config.role().servesApi()
                              ? deployUnlessClosing(this::deployKeyExpiry)
                              : Future.succeededFuture())
                  .compose(
                      n ->
                          config.role().servesApi()
                              ? deployUnlessClosing(this::deployChangeFeed)
                              : Future.succeededFuture())
                  .compose(
                      n ->
                          config.role().processes()
                              ? deployUnlessClosing(this::deployWorker)
                              : Future.succeededFuture());
        });
  }

  private Future<String> deployHttp() {
    HttpSetup http = httpSetup();
    // one per node: every HTTP verticle and every viewer share its figures
    ClusterStats stats =
        new ClusterStats(
            new TaskCounts(pool, config.dbTimeoutMs())::all,
            new WorkerLoads(pool, config.dbTimeoutMs()),
            Clock.systemUTC());
    ops.metrics().watchers(hub);
    hub.listen(
        vertx.getOrCreateContext(),
        batch -> batch.events().forEach(event -> stats.changed(event.task())));
    return vertx
        .deployVerticle(
            () -> {
              HttpVerticle verticle =
                  new HttpVerticle(config, pool, ops.metrics()::created, http, stats, hub);
              port.set(verticle::port);
              return verticle;
            },
            new DeploymentOptions().setInstances(config.effectiveHttpInstances()))
        .onSuccess(deployments::add)
        .onSuccess(
            id ->
                log.info(
                    "HTTP API on port {} ({} instances{})",
                    port(),
                    config.effectiveHttpInstances(),
                    config.tls() ? ", HTTPS" : ""));
  }

  private Future<String> deployOpsHttp() {
    OpsHttpVerticle verticle = new OpsHttpVerticle(config.httpPort(), httpSetup());
    port.set(verticle::port);
    return vertx
        .deployVerticle(verticle)
        .onSuccess(deployments::add)
        .onSuccess(id -> log.info("Health and metrics on port {}", port()))
        // a worker still processes when its operator port is taken (several workers started
        // on one host without their own TASKS_HTTP_PORT): it says so loudly and runs unprobed
        .recover(
            failure -> {
              port.set(() -> -1);
              log.error(
                  "Health and metrics NOT served: port {} cannot be bound ({}); set"
                      + " TASKS_HTTP_PORT to a free port for this worker",
                  config.httpPort(),
                  Failures.rootMessage(failure));
              return Future.succeededFuture("");
            });
  }

  /** TLS, security controls and operator routes for the node's HTTP servers. */
  private HttpSetup httpSetup() {
    return HttpSetup.create(
        config, ops.outageGuard(), ops::mountRoutes, Operations::isOperatorPath, ops.registry());
  }

  /**
   * A lease must outlast the delay, a completion that takes the whole database time limit and the
   * sweep interval; a shorter one lets other workers take over (and redo) tasks whose holder is
   * merely slow. Allowed (tests use short leases), but said once at start-up.
   */
  static Optional<String> shortLease(AppConfig config) {
    long needed = config.processingDelayMs() + config.dbTimeoutMs() + config.sweepIntervalMs();
    if (config.leaseMs() >= needed) {
      return Optional.empty();
    }
    return Optional.of(
        "TASKS_LEASE_MS ("
            + config.leaseMs()
            + " ms) is shorter than TASKS_PROCESSING_DELAY_MS + TASKS_DB_TIMEOUT_MS +"
            + " TASKS_SWEEP_INTERVAL_MS ("
            + needed
            + " ms): tasks whose completion is slow will be taken over and processed again");
  }

  /**
   * What starts once the schema is there starts only while the node is not closing: a worker
   * deployed after {@link #close()} began would claim tasks that the closing pool could no longer
   * hand back. Decided under the node's lock, so that {@link #close()} either prevents the
   * deployment or waits for it and then stops it.
   */
  private synchronized Future<String> deployUnlessClosing(Supplier<Future<String>> deployment) {
    if (closing != null) {
      return Future.failedFuture(new StartupCancelledException());
    }
    lateDeployment = deployment.get();
    return lateDeployment;
  }

  /** Start-up did not finish because the node was closed first. */
  public static final class StartupCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupCancelledException() {
      super("the node was closed during start-up");
    }
  }

  private synchronized boolean isClosing() {
    return closing != null;
  }

  /** Every node folds the exact counts (any number of nodes may fold at once). */
  private Future<String> deployCounts() {
    return vertx.deployVerticle(ops.countsVerticle(pool)).onSuccess(deployments::add);
  }

  /** One follower of the task history per HTTP node, shared by all its watchers. */
  private Future<String> deployChangeFeed() {
    return vertx
        .deployVerticle(
            new ChangeFeedVerticle(
                new TaskHistory(pool, config.dbTimeoutMs()), hub, HttpVerticle::json))
        .onSuccess(deployments::add);
  }

  private Future<String> deployKeyExpiry() {
    return vertx
        .deployVerticle(
            new KeyExpiryVerticle(
                new IdempotencyKeys(pool, config.dbTimeoutMs(), config.idempotencyTtl()),
                config.idempotencyTtl()))
        .onSuccess(deployments::add);
  }

  private Future<String> deployWorker() {
    return vertx
        .deployVerticle(
            new TaskWorkerVerticle(config, pool, new TitleParityPolicy(), ops.metrics()))
        .onSuccess(deployments::add)
        // started means consuming: the worker's start completes once its consumer is registered
        .onSuccess(id -> consuming.up())
        .onSuccess(
            id ->
                log.info(
                    "Worker started: delay {} ms, lease {} ms",
                    config.processingDelayMs(),
                    config.leaseMs()))
        .compose(
            id -> config.retention().isZero() ? Future.succeededFuture(id) : deployRetention());
  }

  /** Workers delete expired finished tasks; any number of them share the work. */
  private Future<String> deployRetention() {
    return vertx
        .deployVerticle(
            new RetentionVerticle(
                new TaskRetention(pool, config.dbTimeoutMs()),
                config.retention(),
                ops.metrics()::pruned))
        .onSuccess(deployments::add);
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
                  Failures.rootMessage(failure),
                  MIGRATION_RETRY_MS);
              return vertx
                  .timer(MIGRATION_RETRY_MS)
                  .compose(
                      v ->
                          isClosing()
                              ? Future.failedFuture(new StartupCancelledException())
                              : migrate());
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

  /** The node's connection pool; tests close it to make the node vanish like a killed process. */
  Pool pool() {
    return pool;
  }

  /**
   * Stops gracefully, in this order: readiness goes down and the HTTP side stops listening (clients
   * get connection refused, not a hang), the worker stops taking work and finishes or hands back
   * its tasks, then the pool closes and the node leaves the cluster. {@code vertx.close()} alone
   * would not do: it first runs the close hooks of resources created outside verticles, such as
   * this pool, and only then undeploys the verticles (Vert.x 5.0.7), so a stopping worker could
   * neither complete nor hand back.
   */
  public synchronized Future<Void> close() {
    if (closing == null) {
      if (consuming != null) {
        consuming.down("worker stopped consuming");
      }
      ops.stop();
      // a worker whose deployment is under way is stopped like one that runs. The chain has no
      // context of this node's Vert.x: its last step completes once that Vert.x is closed.
      Promise<Void> settled = Promise.promise();
      if (lateDeployment == null) {
        settled.complete();
      } else {
        lateDeployment.onComplete(ar -> settled.complete());
      }
      closing =
          settled
              .future()
              .transform(deployed -> undeployAll())
              .transform(undeployed -> pool.close())
              .transform(closed -> vertx.close());
    }
    return closing;
  }

  private Future<?> undeployAll() {
    Future<?> stopped = Future.succeededFuture();
    for (String id : deployments) {
      stopped =
          stopped.transform(
              previous ->
                  vertx
                      .undeploy(id)
                      .onFailure(
                          e -> log.warn("Stopping {} failed: {}", id, Failures.rootMessage(e))));
    }
    return stopped;
  }
}
