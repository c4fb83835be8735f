package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.domain.Task;
import io.taskservice.domain.TaskStatus;
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

  @Test
  void theNewFieldsComeInTheRepresentationsOrder() {
    OffsetDateTime at = OffsetDateTime.parse("2026-01-01T00:00:00Z");
    Task task =
        new Task(
            1,
            "t",
            TaskStatus.NEW,
            null,
            "reports",
            3,
            OffsetDateTime.parse("2026-02-01T12:00:00+01:00"),
            at,
            at);
    assertThat(TaskJson.of(task).fieldNames())
        .containsExactly(
            "id",
            "title",
            "status",
            "result",
            "queue",
            "priority",
            "run_after",
            "created_at",
            "updated_at");
    assertThat(TaskJson.of(task).getString("run_after")).isEqualTo("2026-02-01T11:00:00Z");
    assertThat(TaskJson.of(task).getInteger("priority")).isEqualTo(3);
    Task unscheduled = new Task(1, "t", TaskStatus.NEW, null, "default", 0, null, at, at);
    assertThat(TaskJson.of(unscheduled).containsKey("run_after")).isTrue();
    assertThat(TaskJson.of(unscheduled).getValue("run_after")).isNull();
  }
}
