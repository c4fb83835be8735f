package io.taskservice.http.security;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

/**
 * The scheme and host a request was addressed to, which the API's absolute links name (as DRF's
 * {@code build_absolute_uri} does): the connection's own scheme and the {@code Host} header, or
 * what a trusted proxy forwarded ({@link TrustedProxies}).
 */
public final class RequestOrigin {
  static final String FORWARDED = "tasks.forwardedOrigin";

  /** What a trusted proxy said; either part may be null (not sent, or not valid). */
  record Forwarded(String scheme, String host) {}

  private RequestOrigin() {}

  /** {@code http} or {@code https}. */
  public static String scheme(RoutingContext ctx) {
    Forwarded forwarded = ctx.get(FORWARDED);
    if (forwarded != null && forwarded.scheme() != null) {
      return forwarded.scheme();
    }
    return ctx.request().isSSL() ? "https" : "http";
  }

  /** The host, with its port when one was given; empty when the request named none. */
  public static String host(RoutingContext ctx) {
    Forwarded forwarded = ctx.get(FORWARDED);
    if (forwarded != null && forwarded.host() != null) {
      return forwarded.host();
    }
    return hostHeader(ctx.request());
  }

  /** {@code scheme://host}; {@code localhost} stands for a host the request did not name. */
  public static String of(RoutingContext ctx) {
    String host = host(ctx);
    return scheme(ctx) + "://" + (host.isEmpty() ? "localhost" : host);
  }

  private static String hostHeader(HttpServerRequest request) {
    String host = request.getHeader("Host");
    if (host != null) {
      return host;
    }
    // HTTP/2 sends :authority instead
    HostAndPort authority = request.authority();
    return authority == null ? "" : authority.toString();
  }
}
