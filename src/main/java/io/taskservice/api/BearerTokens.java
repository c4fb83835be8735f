package io.taskservice.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * {@code TASKS_API_TOKENS}: every request under {@code /api/} must carry {@code Authorization:
 * Bearer <token>} with one of the tokens, else 401 with DRF's messages (those of its
 * TokenAuthentication) and {@code WWW-Authenticate: Bearer realm="api"}. Tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, all of them every time, so that neither the
 * time taken nor the token's length tells an attacker anything. Health and metrics stay open.
 */
final class BearerTokens {
  static final String CHALLENGE = "Bearer realm=\"api\"";
  private static final String KEYWORD = "bearer";

  private final List<byte[]> digests;

  BearerTokens(List<String> tokens) {
    this.digests = tokens.stream().map(BearerTokens::sha256).toList();
  }

  void handle(RoutingContext ctx) {
    if (ApiRoutes.isApiPath(ctx.normalizedPath())) {
      check(ctx.request().getHeader("Authorization"));
    }
    ctx.next();
  }

  /** Throws the 401 unless {@code header} holds a valid token. */
  void check(String header) {
    String[] parts = header == null ? new String[0] : header.trim().split("\\s+");
    if (parts.length == 0
        || parts[0].isEmpty()
        || !parts[0].toLowerCase(Locale.ROOT).equals(KEYWORD)) {
      throw unauthorized("Authentication credentials were not provided.");
    }
    if (parts.length == 1) {
      throw unauthorized("Invalid token header. No credentials provided.");
    }
    if (parts.length > 2) {
      throw unauthorized("Invalid token header. Token string should not contain spaces.");
    }
    if (!known(parts[1])) {
      throw unauthorized("Invalid token.");
    }
  }

  private boolean known(String token) {
    byte[] presented = sha256(token);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(presented, digest);
    }
    return match;
  }

  private static ApiError unauthorized(String detail) {
    return ApiError.detail(401, detail).withHeader("WWW-Authenticate", CHALLENGE);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
