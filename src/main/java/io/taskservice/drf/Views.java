package io.taskservice.drf;

import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * DRF's views as the router of the reference service lays them out: which methods each path allows
 * (the {@code Allow} header of every answer) and content negotiation before anything else (406).
 */
public final class Views {
  static final String LIST_ALLOW = "GET, POST, HEAD, OPTIONS";
  static final String DETAIL_ALLOW = "GET, HEAD, OPTIONS";

  private Views() {}

  /** The methods DRF's view allows on {@code path}, or null outside the API's views. */
  public static String allowFor(String path) {
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
  public static void negotiate(RoutingContext ctx) {
    if (allowFor(ctx.request().path()) != null && !acceptsJson(ctx.request().getHeader("Accept"))) {
      throw ApiError.notAcceptable();
    }
    ctx.next();
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
}
