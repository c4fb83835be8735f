package io.taskservice.http.security;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers Django's security middleware sets, on every answer (API, errors, Swagger UI, health):
 * no MIME sniffing, no framing, same-origin referrers, and a Content-Security-Policy that allows
 * only this origin. Swagger UI needs nothing else, except inline styles (its logo is an SVG with a
 * {@code <style>} element). With TLS also {@code Strict-Transport-Security}.
 */
public final class SecurityHeaders {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none';"
          + " base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  static final String HSTS = "max-age=31536000";

  // pre-encoded once: these go out with every answer
  private static final CharSequence NOSNIFF_NAME =
      HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_NAME = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence REFERRER_NAME = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence COOP_NAME =
      HttpHeaders.createOptimized("Cross-Origin-Opener-Policy");
  private static final CharSequence SAME_ORIGIN = HttpHeaders.createOptimized("same-origin");
  private static final CharSequence CSP_NAME =
      HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CSP_VALUE = HttpHeaders.createOptimized(CSP);
  private static final CharSequence HSTS_NAME =
      HttpHeaders.createOptimized("Strict-Transport-Security");
  private static final CharSequence HSTS_VALUE = HttpHeaders.createOptimized(HSTS);

  private final boolean tls;

  public SecurityHeaders(boolean tls) {
    this.tls = tls;
  }

  public void handle(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> add(ctx.response().headers()));
    ctx.next();
  }

  private void add(MultiMap headers) {
    headers.set(NOSNIFF_NAME, NOSNIFF);
    headers.set(FRAME_NAME, DENY);
    headers.set(REFERRER_NAME, SAME_ORIGIN);
    headers.set(COOP_NAME, SAME_ORIGIN);
    headers.set(CSP_NAME, CSP_VALUE);
    if (tls) {
      headers.set(HSTS_NAME, HSTS_VALUE);
    }
  }
}
