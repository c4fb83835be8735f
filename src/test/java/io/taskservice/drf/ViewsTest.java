package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViewsTest {
  @Test
  void allowFollowsTheViewThePathBelongsTo() {
    assertThat(Views.allowFor("/api/v1/tasks/")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/abc/")).isEqualTo("GET, HEAD, OPTIONS");
    for (String other :
        new String[] {"/", "/api/v1/tasksx", "/api/v1/tasks//", "/api/v1/tasks/1/2", "/swagger/"}) {
      assertThat(Views.allowFor(other)).as(other).isNull();
    }
  }

  @Test
  void acceptHeadersThatJsonOrHtmlSatisfy() {
    assertThat(Views.acceptsJson(null)).isTrue();
    assertThat(Views.acceptsJson("application/json; indent=4")).isTrue();
    assertThat(Views.acceptsJson("text/*")).isTrue();
    assertThat(Views.acceptsJson("application/xml, text/plain")).isFalse();
  }
}
