package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsIso8601() {
    assertThat(Durations.parse("P7D")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("PT12H")).isEqualTo(Duration.ofHours(12));
    assertThat(Durations.parse("pt1h30m")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void readsANumberWithOneUnit() {
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse(" 2H ")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void zeroMeansOff() {
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("PT0S")).isZero();
  }

  @Test
  void rejectsWhatIsNotADuration() {
    for (String bad : new String[] {"", "7", "7 d", "1h30m", "-1d", "P-1D", "PT-5S", "P1M", "x"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Durations.parse("999999999999999999d"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatsInTheLargestWholeUnitAndReadsBack() {
    assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
    for (Duration d :
        new Duration[] {Duration.ofHours(36), Duration.ofSeconds(61), Duration.ofNanos(1500)}) {
      assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
  }
}
