package io.taskservice.http.security;

import io.taskservice.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code TASKS_TRUSTED_PROXIES}: a request whose peer (the TCP connection's other end) lies in one
 * of these networks may say, in {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}, the scheme
 * and host its client addressed; the API's absolute links then name those ({@link RequestOrigin}),
 * and the forwarded host is the one {@link AllowedHosts} checks. Of a list, the last value counts:
 * the one the trusted proxy itself added. From any other peer both headers are ignored, as are
 * values that are no scheme or no host.
 */
public final class TrustedProxies {
  static final String PROTO = "X-Forwarded-Proto";
  static final String HOST = "X-Forwarded-Host";

  private final List<Cidr> proxies;

  public TrustedProxies(List<Cidr> proxies) {
    this.proxies = List.copyOf(proxies);
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (isTrusted(request.remoteAddress())) {
      String scheme = last(request, PROTO);
      if (scheme != null) {
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
          scheme = null;
        }
      }
      String host = last(request, HOST);
      if (host != null && !AllowedHosts.isWellFormed(host)) {
        host = null;
      }
      if (scheme != null || host != null) {
        ctx.put(RequestOrigin.FORWARDED, new RequestOrigin.Forwarded(scheme, host));
      }
    }
    ctx.next();
  }

  private boolean isTrusted(SocketAddress peer) {
    String address = peer == null ? null : peer.hostAddress();
    if (address == null) {
      return false;
    }
    for (Cidr proxy : proxies) {
      if (proxy.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The last non-empty value of {@code name} over all its lines, or null. */
  private static String last(HttpServerRequest request, String name) {
    List<String> lines = request.headers().getAll(name);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] values = lines.get(i).split(",");
      for (int j = values.length - 1; j >= 0; j--) {
        String value = values[j].trim();
        if (!value.isEmpty()) {
          return value;
        }
      }
    }
    return null;
  }
}
