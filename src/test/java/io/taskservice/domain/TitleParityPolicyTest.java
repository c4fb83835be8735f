package io.taskservice.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TitleParityPolicyTest {
  private final OutcomePolicy policy = new TitleParityPolicy();

  @Test
  void evenTitlesSucceedAndOddTitlesFail() {
    assertThat(policy.decide("Process report")).isEqualTo(Outcome.SUCCEEDED); // 14
    assertThat(policy.decide("Process")).isEqualTo(Outcome.FAILED); // 7
    assertThat(Outcome.SUCCEEDED).isEqualTo(new Outcome(TaskStatus.DONE, TaskResult.SUCCESS));
    assertThat(Outcome.FAILED).isEqualTo(new Outcome(TaskStatus.FAILED, TaskResult.ERROR));
  }

  @Test
  void lengthIsCountedInCharactersLikePython() {
    assertThat(policy.decide("Отчёт")).isEqualTo(Outcome.FAILED); // 5 letters, 10 UTF-8 bytes
    assertThat(policy.decide("報告")).isEqualTo(Outcome.SUCCEEDED); // 2 characters
    // one emoji is one character in Python but two UTF-16 units in Java
    assertThat(policy.decide("😀")).isEqualTo(Outcome.FAILED);
    assertThat(policy.decide("😀😀")).isEqualTo(Outcome.SUCCEEDED);
    // a letter with a combining accent is two characters
    assertThat(policy.decide("e\u0301")).isEqualTo(Outcome.SUCCEEDED);
  }
}
