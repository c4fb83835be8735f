package io.taskservice.tasks;

import io.taskservice.drf.ApiError;
import io.taskservice.http.security.Authorization;
import io.taskservice.http.security.Sha256;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;

/**
 * Reads the {@code Idempotency-Key} request header (IETF httpapi draft). The draft makes it a
 * Structured Field string ({@code "8e03978e-..."}); a bare value is accepted too and names the same
 * key. A key is 1 to 255 printable ASCII characters; anything else, or the header sent twice, is a
 * 400. Keys are unique per client: with bearer tokens on, per token (the scope is the token's
 * SHA-256, the token itself is never stored).
 */
final class IdempotencyKeyHeader {
  static final String NAME = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";
  static final int MAX_LENGTH = 255;
  static final String INVALID =
      "Idempotency-Key must be 1 to " + MAX_LENGTH + " printable ASCII characters.";
  static final String REPEATED = "Send at most one Idempotency-Key header.";

  private final boolean scopedByToken;

  /**
   * @param scopedByToken bearer tokens are required: each token has its own keys
   */
  IdempotencyKeyHeader(boolean scopedByToken) {
    this.scopedByToken = scopedByToken;
  }

  /** The request's key, if it sent one; throws the 400 for a malformed one. */
  Optional<IdempotencyKey> read(HttpServerRequest request) {
    List<String> values = request.headers().getAll(NAME);
    if (values.isEmpty()) {
      return Optional.empty();
    }
    if (values.size() > 1) {
      throw ApiError.parse(REPEATED);
    }
    String key = unquote(values.get(0).trim());
    if (key.isEmpty() || key.length() > MAX_LENGTH || !printableAscii(key)) {
      throw ApiError.parse(INVALID);
    }
    return Optional.of(new IdempotencyKey(scope(request), key));
  }

  /** The key inside an RFC 8941 sf-string, or the value itself when it is not quoted. */
  private static String unquote(String value) {
    if (!value.startsWith("\"")) {
      return value;
    }
    StringBuilder key = new StringBuilder(value.length());
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        if (i != value.length() - 1) {
          throw ApiError.parse(INVALID);
        }
        return key.toString();
      }
      if (c == '\\') {
        i++;
        if (i == value.length() || (value.charAt(i) != '"' && value.charAt(i) != '\\')) {
          throw ApiError.parse(INVALID);
        }
        c = value.charAt(i);
      }
      key.append(c);
    }
    throw ApiError.parse(INVALID); // no closing quote
  }

  private static boolean printableAscii(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** Hex SHA-256 of the bearer token (already checked by the token filter), or empty. */
  private String scope(HttpServerRequest request) {
    if (!scopedByToken) {
      return "";
    }
    return Authorization.bearerToken(request).map(Sha256::hex).orElse("");
  }
}
