package io.taskservice.http;

import io.taskservice.db.StoreUnavailableException;
import io.taskservice.http.security.ApiPaths;
import io.taskservice.ops.DatabaseProbe;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * While the {@link DatabaseProbe} finds PostgreSQL unreachable, API requests get their 503 at once
 * instead of each waiting for the database's time limit (a database that drops packets never
 * refuses a connection). Requests that need no database (OPTIONS) pass.
 */
public final class OutageGuard {
  private final DatabaseProbe probe;

  public OutageGuard(DatabaseProbe probe) {
    this.probe = probe;
  }

  public void handle(RoutingContext ctx) {
    if (probe.isDown()
        && ctx.request().method() != HttpMethod.OPTIONS
        && ApiPaths.isApiPath(ctx.normalizedPath())) {
      throw new StoreUnavailableException(probe.failure(), null);
    }
    ctx.next();
  }
}
