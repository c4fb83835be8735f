package io.taskservice.http.security;

import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code Authorization} header as DRF's {@code TokenAuthentication} reads it: split at white
 * space into a keyword and its credentials. The one place that parses it: the token guard checks
 * it, idempotency keys are scoped by the token it names.
 */
public final class Authorization {
  static final String BEARER = "bearer";

  private Authorization() {}

  /** The header's words, as Python's {@code str.split()} makes them (none for no header). */
  static String[] words(String header) {
    String trimmed = header == null ? "" : header.trim();
    return trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
  }

  /** Whether {@code keyword} names the bearer scheme (case-insensitive, as DRF compares it). */
  static boolean isBearer(String keyword) {
    return keyword.toLowerCase(Locale.ROOT).equals(BEARER);
  }

  /** The request's bearer token, when its header is exactly {@code Bearer <token>}. */
  public static Optional<String> bearerToken(HttpServerRequest request) {
    String[] words = words(request.getHeader("Authorization"));
    return words.length == 2 && isBearer(words[0]) ? Optional.of(words[1]) : Optional.empty();
  }
}
