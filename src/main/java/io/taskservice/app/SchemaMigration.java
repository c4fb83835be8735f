package io.taskservice.app;

import io.taskservice.config.AppConfig;
import io.taskservice.config.AppConfig.Migrate;
import io.taskservice.db.Migrations;
import io.taskservice.ops.Failures;
import io.taskservice.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's schema at start-up: migrated ({@code TASKS_MIGRATE=auto}) or only checked ({@code
 * never}: while migrations are pending the {@code schema} condition says so and the node waits),
 * tried again while PostgreSQL cannot be reached, until the node closes.
 */
final class SchemaMigration {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigration.class);
  private static final long RETRY_MS = 2000;

  private SchemaMigration() {}

  /**
   * Completes once the schema is current, with the number of migrations this node applied; fails at
   * once on anything but connectivity. {@code schema} carries the reason while it waits.
   */
  static Future<Integer> untilDone(
      Vertx vertx, AppConfig config, BooleanSupplier closing, Readiness.Condition schema) {
    return config.migrate() == Migrate.AUTO
        ? whenReachable(vertx, config, closing, new Migrations(config)::run)
        : untilCurrent(vertx, config, closing, schema, null);
  }

  /**
   * {@code never}: another process (the migration Job of the new version) migrates; until it has, a
   * node of that version must not serve on a schema it does not know, so it stays not ready and
   * says once what is missing. Nodes of the old version keep serving meanwhile.
   */
  private static Future<Integer> untilCurrent(
      Vertx vertx,
      AppConfig config,
      BooleanSupplier closing,
      Readiness.Condition schema,
      String said) {
    return whenReachable(vertx, config, closing, new Migrations(config)::behind)
        .compose(
            behind -> {
              if (behind.isEmpty()) {
                if (said != null) {
                  log.info("Database schema is up to date now: starting");
                }
                return Future.succeededFuture(0);
              }
              String reason =
                  "database schema is behind this version: "
                      + behind.get()
                      + "; run 'task-service migrate' (TASKS_MIGRATE=never)";
              schema.down(reason);
              if (!Objects.equals(reason, said)) {
                log.warn("Not ready: {}", reason);
              }
              return later(
                  vertx, closing, () -> untilCurrent(vertx, config, closing, schema, reason));
            });
  }

  /** {@code work} on a worker thread, tried again a little later while PostgreSQL is away. */
  private static <T> Future<T> whenReachable(
      Vertx vertx, AppConfig config, BooleanSupplier closing, Callable<T> work) {
    return vertx
        .executeBlocking(work)
        .recover(
            failure -> {
              if (!Migrations.isConnectivity(failure)) {
                return Future.failedFuture(failure);
              }
              log.warn(
                  "PostgreSQL at {} is not reachable yet ({}); retrying in {} ms",
                  config.redactedDbUrl(),
                  Failures.rootMessage(failure),
                  RETRY_MS);
              return later(vertx, closing, () -> whenReachable(vertx, config, closing, work));
            });
  }

  private static <T> Future<T> later(
      Vertx vertx, BooleanSupplier closing, Supplier<Future<T>> next) {
    return vertx
        .timer(RETRY_MS)
        .compose(
            v ->
                closing.getAsBoolean()
                    ? Future.failedFuture(new Node.StartupCancelledException())
                    : next.get());
  }
}
