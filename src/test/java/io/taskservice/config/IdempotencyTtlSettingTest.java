package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TASKS_IDEMPOTENCY_TTL: from one second to 30 days, in whole milliseconds. Beyond 30 days the
 * expiry of every key would be a date PostgreSQL cannot add (a keyed POST would fail), and a value
 * below a millisecond would be stored as 0 (every key expired at once).
 */
class IdempotencyTtlSettingTest {
  private static AppConfig with(String ttl) {
    return AppConfig.load(Map.of("TASKS_IDEMPOTENCY_TTL", ttl));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"1s, 1000", "PT1S, 1000", "1500ms, 1500", "24h, 86400000", "30d, 2592000000"})
  void readsDurationsWithinTheRange(String text, long millis) {
    assertThat(with(text).idempotencyTtl()).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void unsetMeansADay() {
    assertThat(AppConfig.load(Map.of()).idempotencyTtl()).isEqualTo(Duration.ofDays(1));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"0", "999ms", "PT0.0001S", "PT1.0005S", "31d", "P30DT1S", "999999999999d", "1y"})
  void aValueOutsideTheRangeStopsStartUpWithOneLineNamingTheVariable(String text) {
    assertThatThrownBy(() -> with(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_IDEMPOTENCY_TTL must be a duration from 1s to 30d")
        .hasMessageEndingWith("got '" + text + "'")
        .hasMessageNotContaining("\n");
  }
}
