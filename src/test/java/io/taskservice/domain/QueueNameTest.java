package io.taskservice.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueueNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"default", "0", "a.b-c_d", "reports2", "9-._"})
  void aLowerCaseLetterOrDigitThenLettersDigitsDotsDashesAndUnderscores(String name) {
    assertThat(QueueName.matchesPattern(name)).isTrue();
    assertThat(QueueName.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Default", "_a", ".a", "-a", "a b", "a/b", "é", "a\n"})
  void anythingElseIsNoQueueName(String name) {
    assertThat(QueueName.matchesPattern(name)).isFalse();
    assertThat(QueueName.isValid(name)).isFalse();
  }

  @Test
  void thePatternSaysNothingOfTheLength() {
    assertThat(QueueName.matchesPattern("a".repeat(QueueName.MAX_LENGTH + 1))).isTrue();
    assertThat(QueueName.isValid("a".repeat(QueueName.MAX_LENGTH))).isTrue();
    assertThat(QueueName.isValid("a".repeat(QueueName.MAX_LENGTH + 1))).isFalse();
    assertThat(QueueName.isValid(null)).isFalse();
  }
}
