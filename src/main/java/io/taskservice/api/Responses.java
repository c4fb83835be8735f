package io.taskservice.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers with DRF's headers. */
final class Responses {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence ACCEPT = HttpHeaders.createOptimized("Accept");

  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.VARY, ACCEPT);
    CharSequence allow = ApiRoutes.allowFor(ctx.request().path());
    if (allow != null) {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    }
    ctx.response().end(body.toBuffer());
  }
}
