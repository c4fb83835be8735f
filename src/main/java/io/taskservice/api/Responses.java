package io.taskservice.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers with DRF's headers. */
final class Responses {
  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Vary", "Accept");
    String allow = ApiRoutes.allowFor(ctx.request().path());
    if (allow != null) {
      ctx.response().putHeader("Allow", allow);
    }
    ctx.response().end(body.toBuffer());
  }
}
