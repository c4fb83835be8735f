package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.domain.Task;
import io.taskservice.domain.TaskStatus;
import java.time.OffsetDateTime;
import java.util.List;
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
    assertThat(JsonRenderer.task(task).toString())
        .isEqualTo(
            "{\"id\":1,\"title\":\"t\",\"status\":\"new\",\"result\":null,\"queue\":\"reports\","
                + "\"priority\":3,\"run_after\":\"2026-02-01T11:00:00Z\","
                + "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}");
    Task unscheduled = new Task(1, "t", TaskStatus.NEW, null, "default", 0, null, at, at);
    assertThat(JsonRenderer.text(List.of(unscheduled), 2))
        .isEqualTo(
            "[\n  {\n    \"id\": 1,\n    \"title\": \"t\",\n    \"status\": \"new\",\n"
                + "    \"result\": null,\n    \"queue\": \"default\",\n    \"priority\": 0,\n"
                + "    \"run_after\": null,\n    \"created_at\": \"2026-01-01T00:00:00Z\",\n"
                + "    \"updated_at\": \"2026-01-01T00:00:00Z\"\n  }\n]");
  }
}
