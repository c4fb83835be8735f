package io.taskservice.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** Writes JSON answers with DRF's headers. */
final class Responses {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence ACCEPT = HttpHeaders.createOptimized("Accept");

  // DRF writes JSON with ensure_ascii=False: every character as UTF-8, also those outside the
  // BMP (an emoji is four bytes, not the escaped surrogate pair "\ud83d\ude00" that Jackson
  // writes by default)
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    send(ctx, status, body);
  }

  static void json(RoutingContext ctx, int status, JsonArray body) {
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
    CharSequence allow = ApiRoutes.allowFor(ctx.request().path());
    if (allow != null) {
      ctx.response().putHeader(HttpHeaders.ALLOW, allow);
    }
    ctx.response().end(encode(body));
  }

  static Buffer encode(Object body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      JacksonCodec.encodeJson(body, generator);
    } catch (IOException e) {
      throw new EncodeException("cannot encode the answer: " + e.getMessage());
    }
    return Buffer.buffer(out.toByteArray());
  }
}
