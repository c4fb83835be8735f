package io.taskservice;

import io.taskservice.api.ApiMetrics;
import io.taskservice.api.HttpVerticle;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.db.Migrations;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.worker.TaskWorkerVerticle;
import io.taskservice.worker.WorkerStats;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: a Vert.x instance with the verticles of its role. The HTTP side starts at once
 * (and answers 503 while the database is away); the schema is migrated in the background, retrying
 * until PostgreSQL answers; workers start once the schema is there.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private static final long MIGRATION_RETRY_MS = 2000;

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final AtomicReference<HttpVerticle> http = new AtomicReference<>();

  private Node(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.pool = Database.pool(vertx, config);
  }

  /** Starts a node on a new Vert.x instance; fails if the database can never be used. */
  public static Future<Node> start(AppConfig config) {
    Vertx vertx = Vertx.vertx();
    Node node = new Node(vertx, config);
    return node.deploy().map(node).onFailure(failure -> vertx.close());
  }

  private Future<?> deploy() {
    Future<?> api = config.role().servesApi() ? deployHttp() : Future.succeededFuture();
    Future<?> schema = api.compose(v -> migrate());
    return schema.compose(
        v -> config.role().processes() ? deployWorker() : Future.succeededFuture());
  }

  private Future<String> deployHttp() {
    return vertx
        .deployVerticle(
            () -> {
              HttpVerticle verticle = new HttpVerticle(config, pool, ApiMetrics.NONE, router -> {});
              http.set(verticle);
              return verticle;
            },
            new DeploymentOptions().setInstances(config.effectiveHttpInstances()))
        .onSuccess(
            id ->
                log.info(
                    "HTTP API on port {} ({} instances)", port(), config.effectiveHttpInstances()));
  }

  private Future<String> deployWorker() {
    return vertx
        .deployVerticle(
            new TaskWorkerVerticle(config, pool, new TitleParityPolicy(), WorkerStats.NONE))
        .onSuccess(
            id ->
                log.info(
                    "Worker started: delay {} ms, lease {} ms",
                    config.processingDelayMs(),
                    config.leaseMs()));
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

  /** The HTTP port actually bound, or -1 when this node serves no API. */
  public int port() {
    HttpVerticle verticle = http.get();
    return verticle == null ? -1 : verticle.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Stops gracefully: verticles stop (workers hand back their tasks), then Vert.x closes. */
  public Future<Void> close() {
    return vertx.close();
  }
}
