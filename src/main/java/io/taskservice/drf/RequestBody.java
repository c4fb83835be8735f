package io.taskservice.drf;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a request body with DRF's default parsers: JSON, form-urlencoded and multipart. An empty
 * body is no data at all, whatever its type; another media type is a 415; malformed JSON is a 400.
 * The result is what DRF hands its serializer: a map, or any other JSON value (even null).
 */
public final class RequestBody {
  private RequestBody() {}

  public static Object read(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    MediaType type = MediaType.parse(contentType == null ? "" : contentType);
    if (type.isForm()) {
      if (type.is("multipart", "form-data") && type.boundary() == null) {
        throw ApiError.parse("Multipart form parse error - Invalid boundary in multipart: None");
      }
      return lastValues(ctx.request().formAttributes());
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      return new HashMap<String, Object>();
    }
    if (!type.isJson()) {
      throw ApiError.unsupportedMediaType(contentType == null ? "" : contentType);
    }
    return json(decode(body, type.charset()));
  }

  private static Object json(String text) {
    if (text.isBlank()) {
      throw ApiError.parse("JSON parse error - Expecting value: line 1 column 1 (char 0)");
    }
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ApiError.parse("JSON parse error - " + firstLine(e));
    }
    return value instanceof JsonObject object ? object.getMap() : value;
  }

  private static String decode(Buffer body, String charset) {
    try {
      Charset cs = charset == null ? StandardCharsets.UTF_8 : Charset.forName(charset);
      return cs.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.parse("JSON parse error - body is not valid " + charset(charset));
    } catch (IllegalArgumentException e) {
      throw ApiError.parse("JSON parse error - unknown encoding: " + charset);
    }
  }

  private static String charset(String charset) {
    return charset == null ? "utf-8" : charset;
  }

  private static String firstLine(DecodeException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = cause.getMessage() == null ? "invalid JSON" : cause.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /** A form's fields, each with its last value, as Django's {@code QueryDict[key]} answers. */
  private static Map<String, Object> lastValues(MultiMap form) {
    Map<String, Object> values = new HashMap<>();
    for (Map.Entry<String, String> e : form) {
      values.put(e.getKey(), e.getValue());
    }
    return values;
  }

  /** A Content-Type header, matched as DRF matches parsers to it. */
  record MediaType(String main, String sub, String charset, String boundary) {
    static MediaType parse(String header) {
      String[] parts = header.split(";");
      String full = parts[0].trim().toLowerCase(Locale.ROOT);
      int slash = full.indexOf('/');
      String main = slash < 0 ? full : full.substring(0, slash);
      String sub = slash < 0 ? "" : full.substring(slash + 1);
      String charset = null;
      String boundary = null;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length != 2) {
          continue;
        }
        String value = kv[1].trim().replace("\"", "");
        if (kv[0].trim().equalsIgnoreCase("charset")) {
          charset = value;
        } else if (kv[0].trim().equalsIgnoreCase("boundary") && !value.isEmpty()) {
          boundary = value;
        }
      }
      return new MediaType(main, sub, charset, boundary);
    }

    boolean is(String main, String sub) {
      return (this.main.equals(main) || this.main.equals("*"))
          && (this.sub.equals(sub) || this.sub.equals("*"));
    }

    boolean isJson() {
      return is("application", "json");
    }

    boolean isForm() {
      return !isJson()
          && (is("application", "x-www-form-urlencoded") || is("multipart", "form-data"));
    }
  }
}
