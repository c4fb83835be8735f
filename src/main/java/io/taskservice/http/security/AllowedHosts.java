package io.taskservice.http.security;

import io.taskservice.drf.ApiError;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code TASKS_ALLOWED_HOSTS}, with the rules of Django's {@code ALLOWED_HOSTS}: the Host header
 * without its port, compared case-insensitively; {@code .example.com} allows example.com and its
 * subdomains, {@code *} allows any host. Another host gets 400. The API builds absolute links from
 * the Host header (pagination), which is what the check protects; behind a trusted proxy the host
 * checked is the one it forwarded ({@link RequestOrigin}). {@code /health/*} and {@code /metrics}
 * are exempt so that probes and scrapers may address the node by its IP.
 */
public final class AllowedHosts {
  // Django's host_validation_re: a domain or an IPv6 literal, then an optional port
  private static final Pattern HOST =
      Pattern.compile("^([a-z0-9.-]+|\\[[a-f0-9]*:[a-f0-9.:]+])(:[0-9]+)?$");

  private final List<String> patterns;
  private final Predicate<String> exempt;

  /**
   * @param exempt the paths any host may address (the operator's)
   */
  public AllowedHosts(List<String> patterns, Predicate<String> exempt) {
    this.patterns = patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    this.exempt = exempt;
  }

  public void handle(RoutingContext ctx) {
    if (exempt.test(ctx.normalizedPath())) {
      ctx.next();
      return;
    }
    String host = RequestOrigin.host(ctx);
    if (!allows(host)) {
      throw ApiError.detail(400, "Invalid HTTP_HOST header: '" + host + "'.");
    }
    ctx.next();
  }

  /** A domain or an IPv6 literal, then an optional port: what Django accepts as a host at all. */
  static boolean isWellFormed(String host) {
    return HOST.matcher(host.toLowerCase(Locale.ROOT)).matches();
  }

  boolean allows(String host) {
    Matcher m = HOST.matcher(host.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return false;
    }
    String domain = m.group(1);
    if (domain.endsWith(".")) {
      domain = domain.substring(0, domain.length() - 1);
    }
    for (String pattern : patterns) {
      if (pattern.equals("*")
          || pattern.equals(domain)
          || (pattern.startsWith(".")
              && (domain.endsWith(pattern) || domain.equals(pattern.substring(1))))) {
        return true;
      }
    }
    return false;
  }
}
