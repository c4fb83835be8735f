package io.taskservice.drf;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An answer other than success, shaped as Django REST Framework shapes it: {@code {"detail":
 * "..."}} for request errors, {@code {"field": ["..."]}} for validation errors. Handlers fail the
 * request with it; the HTTP side's one failure handler writes it.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final String NOT_FOUND = "Not found.";
  public static final String NO_TASK = "No Task matches the given query.";

  private final int status;
  // a JsonObject, or a JsonArray for a list's per-item errors
  private final transient Object body;
  private final transient Map<String, String> headers;

  public ApiError(int status, JsonObject body) {
    this(status, body, Map.of());
  }

  /** A list serializer's errors: one object (or list) per item, as DRF answers a bulk create. */
  public ApiError(int status, JsonArray body) {
    this(status, (Object) body, Map.of());
  }

  private ApiError(int status, Object body, Map<String, String> headers) {
    super(String.valueOf(body), null, false, false);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  public int status() {
    return status;
  }

  /** The body: a {@link JsonObject}, or a {@link JsonArray} for a list's per-item errors. */
  public Object body() {
    return body;
  }

  /** A validation error of DRF's serializers: an object of field errors, or per-item errors. */
  public static ApiError invalid(Object errors) {
    return errors instanceof JsonArray list
        ? new ApiError(400, list)
        : new ApiError(400, (JsonObject) errors);
  }

  /** Response headers that belong to this answer, e.g. {@code WWW-Authenticate} with a 401. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The same answer with one more response header. */
  public ApiError withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiError(status, body, Map.copyOf(more));
  }

  /** A request error with DRF's {@code {"detail": "..."}} body. */
  public static ApiError detail(int status, String detail) {
    return new ApiError(status, new JsonObject().put("detail", detail));
  }

  public static ApiError field(String field, List<String> messages) {
    return new ApiError(400, new JsonObject().put(field, new JsonArray(List.copyOf(messages))));
  }

  public static ApiError notFound(String detail) {
    return detail(404, detail);
  }

  public static ApiError parse(String detail) {
    return detail(400, detail);
  }

  public static ApiError methodNotAllowed(String method) {
    return detail(405, "Method \"" + method + "\" not allowed.");
  }

  static ApiError notAcceptable() {
    return detail(406, "Could not satisfy the request Accept header.");
  }

  public static ApiError unsupportedMediaType(String contentType) {
    return detail(415, "Unsupported media type \"" + contentType + "\" in request.");
  }
}
