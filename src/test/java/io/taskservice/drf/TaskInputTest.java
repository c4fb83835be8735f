package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.domain.NewTask;
import io.taskservice.drf.fields.FormData;
import io.taskservice.drf.fields.TaskInput;
import io.taskservice.drf.fields.TaskListInput;
import io.taskservice.drf.python.PythonJson;
import io.taskservice.drf.python.RecordedCases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Replays what the real DRF answered to the bodies fields.py sent (fields.jsonl): each 400's error
 * body, exactly and in order, and each 201's validated fields.
 */
class TaskInputTest {
  private static List<JsonObject> cases;

  private static synchronized List<JsonObject> cases() throws IOException {
    if (cases == null) {
      cases = RecordedCases.read("/drf/fields.jsonl");
    }
    return cases;
  }

  /** What RequestBody hands over for the recorded body. */
  static Object data(JsonObject c) {
    String body = c.getString("body");
    if (c.getString("type").equals("form")) {
      return body.isEmpty()
          ? RequestBody.noData(RequestBody.FORM)
          : new FormData(
              QueryString.form(body.getBytes(StandardCharsets.UTF_8), null).lastValues());
    }
    return PythonJson.parse(body);
  }

  static JsonObject fields(NewTask task) {
    return new JsonObject()
        .put("title", task.title())
        .put("queue", task.queue())
        .put("priority", task.priority())
        .put("run_after", task.runAfter() == null ? null : TaskJson.timestamp(task.runAfter()));
  }

  /** Our answer as DRF's status and body text, for comparison with the recorded one. */
  static String answer(JsonObject c) {
    Object data = data(c);
    if (c.getString("endpoint").equals("create")) {
      TaskInput.Result r = TaskInput.validate(data);
      return r.isValid() ? "201 " + fields(r.task()).encode() : "400 " + r.errors().encode();
    }
    TaskListInput.ListResult r = TaskListInput.validateList(data);
    if (!r.isValid()) {
      return "400 " + ((r.errors() instanceof JsonArray a) ? a.encode() : r.errors().toString());
    }
    JsonArray tasks = new JsonArray();
    r.tasks().forEach(t -> tasks.add(fields(t)));
    return "201 " + tasks.encode();
  }

  private static void replay(Predicate<String> names, int atLeast) throws IOException {
    List<String> mismatches = new ArrayList<>();
    int replayed = 0;
    for (JsonObject c : cases()) {
      if (!names.test(c.getString("name"))) {
        continue;
      }
      replayed++;
      Object recorded = c.getValue("answer");
      if (recorded instanceof JsonObject o && o.containsKey("detail")) {
        // a JSON parse error: RequestBody's answer, before any field is read
        assertThatThrownBy(() -> PythonJson.parse(c.getString("body")))
            .isInstanceOf(PythonJson.InvalidJson.class);
        continue;
      }
      String expected =
          c.getInteger("status")
              + " "
              + (recorded instanceof JsonArray a ? a.encode() : ((JsonObject) recorded).encode());
      String actual = answer(c);
      if (!actual.equals(expected)) {
        mismatches.add(
            c.getString("name") + "\n    DRF  " + cut(expected) + "\n    here " + cut(actual));
      }
    }
    assertThat(replayed).isGreaterThanOrEqualTo(atLeast);
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  private static String cut(String s) {
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  @Test
  void queueAsDrfValidatesIt() throws IOException {
    replay(n -> n.startsWith("queue "), 60);
  }

  @Test
  void priorityAsDrfValidatesIt() throws IOException {
    replay(n -> n.startsWith("priority "), 90);
  }

  @Test
  void runAfterAsDrfParsesIt() throws IOException {
    replay(n -> n.startsWith("run_after "), 500);
  }

  @Test
  void errorsOfSeveralFieldsComeTogetherInFieldOrder() throws IOException {
    replay(
        n ->
            n.startsWith("all ")
                || n.startsWith("title missing")
                || n.startsWith("read-only")
                || n.startsWith("create body"),
        10);
  }

  @Test
  void formBodiesFollowDrfsHtmlInputRules() throws IOException {
    replay(n -> n.startsWith("form "), 30);
  }

  @Test
  void bulkListsAsDrfsListSerializerValidatesThem() throws IOException {
    replay(n -> n.startsWith("bulk ") && !n.startsWith("bulk form "), 25);
  }

  @Test
  void htmlFormListsAsDrfParsesThem() throws IOException {
    replay(n -> n.startsWith("bulk form "), 30);
  }

  @Test
  void everyRecordedCaseIsReplayed() throws IOException {
    List<String> prefixes =
        List.of(
            "queue ",
            "priority ",
            "run_after ",
            "all ",
            "title missing",
            "read-only",
            "create body",
            "form ",
            "bulk ");
    assertThat(cases())
        .allSatisfy(c -> assertThat(prefixes).anyMatch(p -> c.getString("name").startsWith(p)));
  }
}
