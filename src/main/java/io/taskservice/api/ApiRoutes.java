package io.taskservice.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What DRF's view adds around the three operations of the contract: HEAD like GET, OPTIONS with the
 * view's metadata, an {@code Allow} header, content negotiation (406).
 */
final class ApiRoutes {
  static final String LIST_PATH = "/api/v1/tasks/";
  static final String DETAIL_REGEX = "^/api/v1/tasks/(?<id>[^/]+)/?$";
  static final String LIST_ALLOW = "GET, POST, HEAD, OPTIONS";
  static final String DETAIL_ALLOW = "GET, HEAD, OPTIONS";

  private ApiRoutes() {}

  /** The methods DRF's view allows on {@code path}, or null outside the API. */
  /** Under {@code /api}: the paths the API's controls (tokens) apply to. */
  static boolean isApiPath(String path) {
    return path.equals("/api") || path.startsWith("/api/");
  }

  static String allowFor(String path) {
    // on every answer: plain string checks instead of the route regexes
    String prefix = "/api/v1/tasks";
    if (!path.startsWith(prefix)) {
      return null;
    }
    int end = path.length() - (path.endsWith("/") ? 1 : 0);
    if (end == prefix.length()) {
      return LIST_ALLOW;
    }
    if (path.charAt(prefix.length()) != '/' || end == prefix.length() + 1) {
      return null;
    }
    int slash = path.indexOf('/', prefix.length() + 1);
    return slash < 0 || slash >= end ? DETAIL_ALLOW : null;
  }

  /** Runs before the operations: DRF negotiates the response type before anything else. */
  static void negotiate(RoutingContext ctx) {
    if (allowFor(ctx.request().path()) != null && !acceptsJson(ctx.request().getHeader("Accept"))) {
      throw ApiError.notAcceptable();
    }
    ctx.next();
  }

  static void mount(Router router, Handler<RoutingContext> list, Handler<RoutingContext> retrieve) {
    router.route(HttpMethod.HEAD, LIST_PATH).handler(list);
    router.routeWithRegex(HttpMethod.HEAD, DETAIL_REGEX).handler(retrieve);
    router.route(HttpMethod.OPTIONS, LIST_PATH).handler(ctx -> options(ctx, true));
    router.routeWithRegex(HttpMethod.OPTIONS, DETAIL_REGEX).handler(ctx -> options(ctx, false));
  }

  /** DRF's renderers are JSON and the browsable API (HTML); any other Accept is a 406. */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (type.isEmpty()
          || type.equals("*")
          || matches(type, "application", "json")
          || matches(type, "text", "html")) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String type, String main, String sub) {
    int slash = type.indexOf('/');
    if (slash < 0) {
      return false;
    }
    String m = type.substring(0, slash);
    String s = type.substring(slash + 1);
    return (m.equals("*") || m.equals(main)) && (s.equals("*") || s.equals(sub));
  }

  /** DRF's SimpleMetadata for the task views. */
  private static void options(RoutingContext ctx, boolean list) {
    JsonObject body =
        new JsonObject()
            .put("name", list ? "Task List" : "Task Instance")
            .put("description", "")
            .put("renders", new JsonArray().add("application/json").add("text/html"))
            .put(
                "parses",
                new JsonArray()
                    .add("application/json")
                    .add("application/x-www-form-urlencoded")
                    .add("multipart/form-data"));
    if (list) {
      body.put("actions", new JsonObject().put("POST", createFields()));
    }
    Responses.json(ctx, 200, body);
  }

  private static JsonObject createFields() {
    JsonArray statuses = new JsonArray();
    for (String s : new String[] {"new", "processing", "done", "failed"}) {
      statuses.add(new JsonObject().put("value", s).put("display_name", capitalize(s)));
    }
    JsonArray results = new JsonArray();
    for (String s : new String[] {"success", "error"}) {
      results.add(new JsonObject().put("value", s).put("display_name", capitalize(s)));
    }
    return new JsonObject()
        .put("id", field("integer", false, true, "ID"))
        .put("title", field("string", true, false, "Title").put("max_length", 255))
        .put("status", field("choice", false, true, "Status").put("choices", statuses))
        .put("result", field("choice", false, true, "Result").put("choices", results))
        .put("created_at", field("datetime", false, true, "Created at"))
        .put("updated_at", field("datetime", false, true, "Updated at"));
  }

  private static JsonObject field(String type, boolean required, boolean readOnly, String label) {
    return new JsonObject()
        .put("type", type)
        .put("required", required)
        .put("read_only", readOnly)
        .put("label", label);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
