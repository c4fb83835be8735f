package io.taskservice.ops;

import io.taskservice.db.StoreUnavailableException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * While the {@link DatabaseProbe} finds PostgreSQL unreachable, API requests get their 503 at once
 * instead of each waiting for the database's time limit (a database that drops packets never
 * refuses a connection). Requests that need no database (OPTIONS) pass.
 */
final class OutageGuard {
  private final DatabaseProbe probe;

  OutageGuard(DatabaseProbe probe) {
    this.probe = probe;
  }

  void handle(RoutingContext ctx) {
    if (probe.isDown()
        && ctx.request().method() != HttpMethod.OPTIONS
        && OpsPaths.isApiPath(ctx.normalizedPath())) {
      throw new StoreUnavailableException(probe.failure(), null);
    }
    ctx.next();
  }
}
