package io.taskservice.drf;

import io.taskservice.drf.fields.FormData;
import io.taskservice.drf.python.PythonCodecs;
import io.taskservice.drf.python.PythonJson;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a request body with DRF's default parsers: JSON, form-urlencoded and multipart, chosen by
 * the {@code Content-Type} as DRF's content negotiation chooses them (the first parser whose type
 * matches, wildcards included). An empty body is no data at all, whatever its type; another media
 * type is a 415. A JSON body is decoded by its charset as Python's codecs decode it ({@link
 * PythonCodecs}), then read as Python's {@code json} reads it ({@link PythonJson}); either failure
 * is a 400 with Python's message. The result is what DRF hands its serializer: a map, or any other
 * JSON value (even null), with Python's ints as {@code BigInteger} and floats as {@code Double}; a
 * form body is a {@link FormData}, which DRF's fields read by the rules of HTML input.
 */
public final class RequestBody {
  static final MediaType JSON = MediaType.parse("application/json");
  static final MediaType FORM = MediaType.parse("application/x-www-form-urlencoded");
  static final MediaType MULTIPART = MediaType.parse("multipart/form-data");

  /**
   * What DRF answers with a 500 (Python's {@code RecursionError}), answered here as a 400 that says
   * why.
   */
  static final String TOO_DEEP =
      "JSON parse error - Nesting deeper than " + PythonJson.MAX_DEPTH + " levels is not supported";

  /** Django's boundary rule, matched at the start of the boundary only, as Django matches it. */
  private static final Pattern BOUNDARY = Pattern.compile("[ -~]{0,200}[!-~]");

  private RequestBody() {}

  public static Object read(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    MediaType type = MediaType.parse(contentType);
    Buffer body = ctx.body().buffer();
    boolean empty = body == null || body.length() == 0;
    if (JSON.match(type)) {
      return empty ? noData(type) : json(body.getBytes(), type.params());
    }
    if (FORM.match(type)) {
      return empty
          ? noData(type)
          : new FormData(
              QueryString.form(body.getBytes(), type.params().get("charset")).lastValues());
    }
    if (MULTIPART.match(type)) {
      // the body handler keeps no multipart body: DRF's test for one is its declared length
      String length = ctx.request().getHeader("Content-Length");
      if (length != null && !length.trim().equals("0")) {
        checkMultipart(contentType, type);
      }
      return lastValues(ctx.request().formAttributes());
    }
    if (empty) {
      return noData(type);
    }
    throw ApiError.unsupportedMediaType(contentType == null ? "" : contentType);
  }

  /**
   * What DRF makes of an empty body: an empty {@code QueryDict} when the type is exactly a form
   * type (Django's {@code is_form_media_type}), otherwise an empty dict.
   */
  static Map<String, Object> noData(MediaType type) {
    return type.sub().equals(FORM.sub()) && type.main().equals(FORM.main())
            || type.sub().equals(MULTIPART.sub()) && type.main().equals(MULTIPART.main())
        ? new FormData()
        : new HashMap<>();
  }

  /** DRF's {@code JSONParser}: {@code json.load(codecs.getreader(charset)(stream))}. */
  static Object json(byte[] body, Map<String, String> params) {
    try {
      return PythonJson.parse(PythonCodecs.decode(body, params.get("charset")));
    } catch (PythonCodecs.DecodeError | PythonJson.InvalidJson e) {
      throw ApiError.parse("JSON parse error - " + e.getMessage());
    } catch (PythonJson.NestingTooDeep e) {
      throw ApiError.parse(TOO_DEEP);
    }
  }

  /** What Django's {@code MultiPartParser} checks before it reads a part. */
  private static void checkMultipart(String contentType, MediaType type) {
    if (!contentType.startsWith("multipart/")) {
      throw ApiError.parse("Multipart form parse error - Invalid Content-Type: " + contentType);
    }
    String boundary = type.params().get("boundary");
    if (boundary == null || !BOUNDARY.matcher(boundary).lookingAt()) {
      throw ApiError.parse(
          "Multipart form parse error - Invalid boundary in multipart: "
              + (boundary == null ? "None" : boundary));
    }
  }

  /** A form's fields, each with its last value, as Django's {@code QueryDict[key]} answers. */
  private static FormData lastValues(MultiMap form) {
    FormData values = new FormData();
    for (Map.Entry<String, String> e : form) {
      values.put(e.getKey(), e.getValue());
    }
    return values;
  }
}
