package io.taskservice.ops;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health/live}: 200 while the process runs. {@code GET /health/ready}: 200 when the
 * database answered the probe's last background check and every {@link Readiness} condition holds,
 * else 503 with the reason; it costs no query, however often it is asked. Both answer JSON in the
 * vertx-health-check format ({@code {"status": "UP", "checks": [...]}}); a 503 adds a top-level
 * {@code "reason"}.
 */
public final class HealthRoutes {
  public static final String LIVE = "/health/live";
  public static final String READY = "/health/ready";
  // longer than the probe's own limit, so that a first check still running when the node starts
  // answers as down, not as an error
  private static final long PROCEDURE_TIMEOUT_MS = DatabaseProbe.MAX_TIMEOUT_MS + 1000;

  private HealthRoutes() {}

  public static void mount(Router router, Vertx vertx, Readiness readiness, DatabaseProbe probe) {
    HealthChecks live =
        HealthChecks.create(vertx).register("process", promise -> promise.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx);
    ready.register(
        "database",
        PROCEDURE_TIMEOUT_MS,
        promise ->
            probe
                .lastCheck()
                .onComplete(
                    ar -> promise.complete(ar.succeeded() ? Status.OK() : down(probe.failure()))));
    for (Readiness.Condition condition : readiness.conditions()) {
      ready.register(
          condition.name(),
          promise -> promise.complete(condition.isUp() ? Status.OK() : down(condition.reason())));
    }
    router
        .route(LIVE)
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> report(ctx, live));
    router
        .route(READY)
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> report(ctx, ready));
  }

  private static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", reason));
  }

  private static void report(RoutingContext ctx, HealthChecks checks) {
    checks
        .checkStatus()
        .onComplete(
            ar -> {
              JsonObject body;
              boolean up;
              if (ar.succeeded()) {
                body = ar.result().toJson();
                up = CheckResult.isUp(ar.result());
              } else {
                body = new JsonObject().put("status", "DOWN").put("checks", new JsonArray());
                up = false;
              }
              if (!up) {
                body.put("reason", reason(body, ar.cause()));
              }
              ctx.response()
                  .setStatusCode(up ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .end(body.toBuffer());
            });
  }

  /** "database: database not reachable; worker: ..." from the checks that are down. */
  private static String reason(JsonObject body, Throwable failure) {
    StringBuilder reason = new StringBuilder();
    JsonArray checks = body.getJsonArray("checks", new JsonArray());
    for (int i = 0; i < checks.size(); i++) {
      JsonObject check = checks.getJsonObject(i);
      if ("UP".equals(check.getString("status"))) {
        continue;
      }
      JsonObject data = check.getJsonObject("data", new JsonObject());
      String why = data.getString("reason");
      if (why == null) {
        // the procedure itself failed or timed out
        why = data.getString("cause", "check failed");
      }
      if (reason.length() > 0) {
        reason.append("; ");
      }
      reason.append(check.getString("id")).append(": ").append(why);
    }
    if (reason.length() == 0) {
      reason.append(failure == null ? "not ready" : "health check failed");
    }
    return reason.toString();
  }
}
