package io.taskservice.ops;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers Django's security middleware sets, on every answer (API, errors, Swagger UI, health):
 * no MIME sniffing, no framing, same-origin referrers, and a Content-Security-Policy that allows
 * only this origin. Swagger UI needs nothing else, except inline styles (its logo is an SVG with a
 * {@code <style>} element). With TLS also {@code Strict-Transport-Security}.
 */
final class SecurityHeaders {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none';"
          + " base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  static final String HSTS = "max-age=31536000";

  private final boolean tls;

  SecurityHeaders(boolean tls) {
    this.tls = tls;
  }

  void handle(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> add(ctx.response().headers()));
    ctx.next();
  }

  private void add(MultiMap headers) {
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "same-origin");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Content-Security-Policy", CSP);
    if (tls) {
      headers.set("Strict-Transport-Security", HSTS);
    }
  }
}
