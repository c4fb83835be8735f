package io.taskservice.http.security;

import io.taskservice.drf.ApiError;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code TASKS_API_TOKENS}: every request under {@code /api/} must carry {@code Authorization:
 * Bearer <token>} with one of the tokens, else 401 with DRF's messages (those of its
 * TokenAuthentication) and {@code WWW-Authenticate: Bearer realm="api"}. Tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, all of them every time, so that neither the
 * time taken nor the token's length tells an attacker anything. Health and metrics stay open.
 */
public final class BearerTokens {
  static final String CHALLENGE = "Bearer realm=\"api\"";

  private final List<byte[]> digests;

  public BearerTokens(List<String> tokens) {
    this.digests = tokens.stream().map(Sha256::of).toList();
  }

  public void handle(RoutingContext ctx) {
    if (ApiPaths.isApiPath(ctx.normalizedPath())) {
      check(ctx.request().getHeader("Authorization"));
    }
    ctx.next();
  }

  /** Throws the 401 unless {@code header} holds a valid token. */
  void check(String header) {
    String[] parts = Authorization.words(header);
    if (parts.length == 0 || !Authorization.isBearer(parts[0])) {
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
    byte[] presented = Sha256.of(token);
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(presented, digest);
    }
    return match;
  }

  private static ApiError unauthorized(String detail) {
    return ApiError.detail(401, detail).withHeader("WWW-Authenticate", CHALLENGE);
  }
}
