package io.taskservice.app;

import io.taskservice.cluster.Membership;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.ops.Operations;
import io.taskservice.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: a Vert.x instance with the verticles of its role ({@link Roles}), started and
 * stopped in order. The HTTP side starts at once (the API answers 503 and {@code /health/ready} is
 * not ready while the database is away); the schema is migrated in the background, retrying until
 * PostgreSQL answers; background work, the change feed and the worker start once the schema is
 * there. A worker-only node serves {@code /health/*} and {@code /metrics}.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Operations ops;
  private final Roles roles;
  private final Readiness.Condition schema;
  private final Readiness.Condition consuming;
  private volatile IntSupplier port = () -> -1;
  private volatile Future<?> startup = Future.succeededFuture();
  private final Deployments deployments;
  private Future<Void> closing;
  // the latest deployment start-up made after the migration; close() waits for it
  private Future<String> lateDeployment;

  private Node(
      Vertx vertx, AppConfig config, String metricsRegistry, Readiness readiness, Membership m) {
    this.vertx = vertx;
    this.config = config;
    this.pool = Database.pool(vertx, config);
    this.ops = new Operations(vertx, config, metricsRegistry, readiness);
    this.roles = new Roles(vertx, config, pool, ops, m);
    this.deployments = new Deployments(vertx);
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
    Membership members = new Membership();
    return VertxFactory.create(config, metricsRegistry, readiness, members)
        .compose(
            vertx -> {
              Node node = new Node(vertx, config, metricsRegistry, readiness, members);
              return node.deploy().map(node).onFailure(failure -> vertx.close());
            });
  }

  private Future<?> deploy() {
    if (config.role().processes()) {
      config.shortLeaseWarning().ifPresent(log::warn);
    }
    if (config.role().servesApi()) {
      config.shortIdleTimeoutWarning().ifPresent(log::warn);
    }
    ops.probe().start();
    return (config.role().servesApi()
            ? roles.api(deployments::deploy)
            : roles.operatorPort(deployments::deploy))
        .onSuccess(
            bound -> {
              port = bound;
              startup =
                  SchemaMigration.untilDone(vertx, config, this::isClosing, schema)
                      .onSuccess(n -> schema.up())
                      .compose(
                          n -> deployUnlessClosing(() -> roles.housekeeping(deployments::deploy)))
                      .compose(
                          n ->
                              config.role().servesApi()
                                  ? deployUnlessClosing(() -> roles.changeFeed(deployments::deploy))
                                  : Future.succeededFuture())
                      .compose(
                          n ->
                              config.role().processes()
                                  ? deployUnlessClosing(() -> roles.worker(deployments::deploy))
                                      // started means consuming: the worker's start completes
                                      // once its consumer is registered
                                      .onSuccess(id -> consuming.up())
                                  : Future.succeededFuture());
            });
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

  /**
   * Completes once the schema is migrated and, on nodes that process tasks, the worker consumes;
   * fails when that can never happen (e.g. the database is missing and cannot be created).
   */
  public Future<?> startup() {
    return startup;
  }

  /** The HTTP port actually bound (API, or health and metrics on a worker-only node). */
  public int port() {
    return port.getAsInt();
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
   * get connection refused, not a hang) and drains (requests in flight get their answers, long
   * polls are answered as their tasks stand, event streams end), the worker stops taking work and
   * finishes or hands back its tasks, then the pool closes and the node leaves the cluster. {@code
   * vertx.close()} alone would not do: it first runs the close hooks of resources created outside
   * verticles, such as this pool, and only then undeploys the verticles (Vert.x 5.0.7), so a
   * stopping worker could neither complete nor hand back.
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
              .transform(deployed -> deployments.undeployAll())
              .transform(undeployed -> pool.close())
              .transform(closed -> vertx.close());
    }
    return closing;
  }
}
