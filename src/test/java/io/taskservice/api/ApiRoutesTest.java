package io.taskservice.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiRoutesTest {
  @Test
  void allowFollowsTheViewThePathBelongsTo() {
    assertThat(ApiRoutes.allowFor("/api/v1/tasks/")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(ApiRoutes.allowFor("/api/v1/tasks")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(ApiRoutes.allowFor("/api/v1/tasks/17/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(ApiRoutes.allowFor("/api/v1/tasks/17")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(ApiRoutes.allowFor("/api/v1/tasks/abc/")).isEqualTo("GET, HEAD, OPTIONS");
    for (String other :
        new String[] {"/", "/api/v1/tasksx", "/api/v1/tasks//", "/api/v1/tasks/1/2", "/swagger/"}) {
      assertThat(ApiRoutes.allowFor(other)).as(other).isNull();
    }
  }

  @Test
  void acceptHeadersThatJsonOrHtmlSatisfy() {
    assertThat(ApiRoutes.acceptsJson(null)).isTrue();
    assertThat(ApiRoutes.acceptsJson("application/json; indent=4")).isTrue();
    assertThat(ApiRoutes.acceptsJson("text/*")).isTrue();
    assertThat(ApiRoutes.acceptsJson("application/xml, text/plain")).isFalse();
  }
}
