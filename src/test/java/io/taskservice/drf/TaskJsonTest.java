package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class TaskJsonTest {
  @Test
  void timestampsAreUtcIsoformatWithZ() {
    assertThat(TaskJson.timestamp(OffsetDateTime.parse("2026-11-27T19:19:56.123456Z")))
        .isEqualTo("2026-11-27T19:19:56.123456Z");
    assertThat(TaskJson.timestamp(OffsetDateTime.parse("2026-01-02T03:04:05.000010+02:00")))
        .isEqualTo("2026-01-02T01:04:05.000010Z");
  }

  @Test
  void wholeSecondsHaveNoFraction() {
    assertThat(TaskJson.timestamp(OffsetDateTime.parse("2026-11-27T19:19:56Z")))
        .isEqualTo("2026-11-27T19:19:56Z");
  }
}
