package io.taskservice.app;

import io.taskservice.config.AppConfig;
import io.taskservice.db.Migrations;
import io.taskservice.ops.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's migration at start-up: tried again while PostgreSQL cannot be reached, until the node
 * closes.
 */
final class SchemaMigration {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigration.class);
  private static final long RETRY_MS = 2000;

  private SchemaMigration() {}

  /** The migrations applied; fails at once on anything but connectivity. */
  static Future<Integer> untilDone(Vertx vertx, AppConfig config, BooleanSupplier closing) {
    return vertx
        .executeBlocking(new Migrations(config)::run)
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
              return vertx
                  .timer(RETRY_MS)
                  .compose(
                      v ->
                          closing.getAsBoolean()
                              ? Future.failedFuture(new Node.StartupCancelledException())
                              : untilDone(vertx, config, closing));
            });
  }
}
