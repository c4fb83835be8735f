package io.taskservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskStatusTest {
  @Test
  void aNewTaskCanOnlyStartProcessing() {
    assertThat(TaskStatus.NEW.canBecome(TaskStatus.PROCESSING)).isTrue();
    assertThat(TaskStatus.NEW.canBecome(TaskStatus.DONE)).isFalse();
    assertThat(TaskStatus.NEW.canBecome(TaskStatus.FAILED)).isFalse();
    assertThat(TaskStatus.NEW.canBecome(TaskStatus.NEW)).isFalse();
  }

  @Test
  void aProcessingTaskEndsDoneOrFailedOrIsTakenOver() {
    assertThat(TaskStatus.PROCESSING.transitionTo(TaskStatus.DONE)).isEqualTo(TaskStatus.DONE);
    assertThat(TaskStatus.PROCESSING.transitionTo(TaskStatus.FAILED)).isEqualTo(TaskStatus.FAILED);
    assertThat(TaskStatus.PROCESSING.canBecome(TaskStatus.PROCESSING)).isTrue();
    assertThat(TaskStatus.PROCESSING.canBecome(TaskStatus.NEW)).isFalse();
  }

  @Test
  void finalStatusesNeverChange() {
    for (TaskStatus last : new TaskStatus[] {TaskStatus.DONE, TaskStatus.FAILED}) {
      assertThat(last.isFinal()).isTrue();
      for (TaskStatus next : TaskStatus.values()) {
        assertThatThrownBy(() -> last.transitionTo(next))
            .isInstanceOf(IllegalTransitionException.class)
            .hasMessageContaining(last.wire() + " -> " + next.wire());
      }
    }
  }

  @Test
  void onlyNewTasksAndExpiredClaimsCanBeClaimed() {
    assertThat(TaskStatus.NEW.isClaimable(false)).isTrue();
    assertThat(TaskStatus.PROCESSING.isClaimable(false)).isFalse();
    assertThat(TaskStatus.PROCESSING.isClaimable(true)).isTrue();
    assertThat(TaskStatus.DONE.isClaimable(true)).isFalse();
    assertThat(TaskStatus.FAILED.isClaimable(true)).isFalse();
  }

  @Test
  void wireNamesRoundTrip() {
    for (TaskStatus s : TaskStatus.values()) {
      assertThat(TaskStatus.fromWire(s.wire())).contains(s);
    }
    assertThat(TaskStatus.fromWire("NEW")).isEmpty();
    assertThat(TaskStatus.fromWire("")).isEmpty();
  }
}
