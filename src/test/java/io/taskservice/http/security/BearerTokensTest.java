package io.taskservice.http.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.taskservice.drf.ApiError;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Authorization header as DRF's TokenAuthentication reads it, with the keyword Bearer. */
class BearerTokensTest {
  private final BearerTokens tokens = new BearerTokens(List.of("tok-alpha", "tok-beta-longer"));

  @ParameterizedTest
  @ValueSource(strings = {"Bearer tok-alpha", "bearer tok-beta-longer", "  BEARER   tok-alpha  "})
  void aKnownTokenPasses(String header) {
    assertThatNoException().isThrownBy(() -> tokens.check(header));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|Authentication credentials were not provided.",
        "Basic dXNlcjpwYXNz|Authentication credentials were not provided.",
        "Token tok-alpha|Authentication credentials were not provided.",
        "Bearer|Invalid token header. No credentials provided.",
        "Bearer tok alpha|Invalid token header. Token string should not contain spaces.",
        "Bearer tok-alphA|Invalid token.",
        "Bearer tok-alpha-and-more|Invalid token.",
        "Bearer tok-|Invalid token."
      })
  void anythingElseIs401WithDrfsMessage(String header, String detail) {
    ApiError error = catchThrowableOfType(ApiError.class, () -> tokens.check(header));

    assertThat(error.status()).isEqualTo(401);
    assertThat(error.body()).isEqualTo(new JsonObject().put("detail", detail));
    assertThat(error.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
  }

  @org.junit.jupiter.api.Test
  void aMissingHeaderIsNotProvided() {
    ApiError error = catchThrowableOfType(ApiError.class, () -> tokens.check(null));

    assertThat(((io.vertx.core.json.JsonObject) error.body()).getString("detail"))
        .isEqualTo("Authentication credentials were not provided.");
  }
}
