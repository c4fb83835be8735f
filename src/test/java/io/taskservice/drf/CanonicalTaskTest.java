package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.domain.NewTask;
import io.taskservice.drf.fields.FormData;
import io.taskservice.drf.fields.TaskInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalTaskTest {
  private static String canonical(Object body) {
    TaskInput.Result result = TaskInput.validate(body);
    assertThat(result.isValid()).as("%s", result.errors()).isTrue();
    return CanonicalTask.of(result.task());
  }

  @Test
  void bodiesThatValidateAlikeHaveOneText() {
    String json =
        canonical(Map.of("title", " t ", "priority", "7.0", "run_after", "2024-01-01T12:00+02:00"));
    FormData form = new FormData();
    form.put("title", "t");
    form.put("queue", "");
    form.put("priority", "7");
    form.put("run_after", "2024-01-01 10:00:00Z");
    assertThat(canonical(form)).isEqualTo(json);
    assertThat(json)
        .isEqualTo(
            "{\"title\":\"t\",\"queue\":\"default\",\"priority\":7,"
                + "\"run_after\":\"2024-01-01T10:00:00Z\"}");
  }

  @Test
  void defaultsAreWrittenOut() {
    assertThat(CanonicalTask.of(NewTask.of("x")))
        .isEqualTo("{\"title\":\"x\",\"queue\":\"default\",\"priority\":0,\"run_after\":null}");
  }

  @Test
  void aBulkRequestKeepsItsOrder() {
    assertThat(CanonicalTask.of(List.of(NewTask.of("b"), NewTask.of("a"))))
        .startsWith("[{\"title\":\"b\"")
        .contains("},{\"title\":\"a\"");
  }
}
