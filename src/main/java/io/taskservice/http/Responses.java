package io.taskservice.http;

import io.taskservice.drf.BrowsableApi;
import io.taskservice.drf.JsonRenderer;
import io.taskservice.drf.Views;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;

/**
 * Writes the API's answers with DRF's headers, in the representation content negotiation chose:
 * JSON, or the browsable API's HTML page showing the same JSON.
 */
public final class Responses {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence HTML = HttpHeaders.createOptimized(BrowsableApi.CONTENT_TYPE);
  private static final CharSequence ACCEPT = HttpHeaders.createOptimized("Accept");

  private Responses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body);
  }

  public static void json(RoutingContext ctx, int status, JsonArray body) {
    send(ctx, status, body);
  }

  /** A {@link JsonObject} or {@link JsonArray} body. */
  public static void json(RoutingContext ctx, int status, Object body) {
    send(ctx, status, body);
  }

  private static void send(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    Views.Negotiated negotiated = Views.negotiated(ctx);
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.VARY, ACCEPT);
    CharSequence allow = Views.allowFor(ctx.request().path());
    if (allow != null) {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    }
    if (negotiated.html()) {
      Buffer page = BrowsableApi.page(ctx, body, negotiated);
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HTML).end(page);
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    Integer indent = negotiated.indent(null);
    ctx.response()
        .end(
            indent == null
                ? JsonRenderer.render(body)
                : Buffer.buffer(JsonRenderer.text(body, indent).getBytes(StandardCharsets.UTF_8)));
  }
}
