package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** TASKS_RETENTION: ISO-8601 or a number with a unit; 0 or unset keeps everything. */
class RetentionSettingTest {
  private static AppConfig with(String retention) {
    return AppConfig.load(Map.of("TASKS_RETENTION", retention));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "P7D, 604800",
    "PT12H, 43200",
    "p1dt2h, 93600",
    "7d, 604800",
    "12h, 43200",
    "30m, 1800",
    "45s, 45",
    "' 90m ', 5400",
    "0, 0",
    "36500d, 3153600000"
  })
  void readsDurations(String text, long seconds) {
    assertThat(with(text).retention()).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void unsetKeepsEveryTask() {
    assertThat(AppConfig.load(Map.of()).retention()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"7x", "forever", "-1d", "1.5h", "P", "7 d", "PT-1H", "36501d", "P36501D"})
  void aBadValueStopsStartUpNamingTheVariable(String text) {
    assertThatThrownBy(() -> with(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_RETENTION must")
        .hasMessageNotContaining("\n");
  }
}
