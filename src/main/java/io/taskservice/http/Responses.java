package io.taskservice.http;

import io.taskservice.drf.JsonRenderer;
import io.taskservice.drf.Views;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers with DRF's headers. */
public final class Responses {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence ACCEPT = HttpHeaders.createOptimized("Accept");

  private Responses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body);
  }

  public static void json(RoutingContext ctx, int status, JsonArray body) {
    send(ctx, status, body);
  }

  private static void send(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.VARY, ACCEPT);
    CharSequence allow = Views.allowFor(ctx.request().path());
    if (allow != null) {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    }
    ctx.response().end(JsonRenderer.render(body));
  }
}
