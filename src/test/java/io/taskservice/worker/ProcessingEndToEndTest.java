package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.Node;
import io.taskservice.TestDatabase;
import io.taskservice.api.ApiClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A task created over HTTP goes new → processing → done/failed after the delay. */
class ProcessingEndToEndTest {
  private static final long DELAY_MS = 400;
  private static Node node;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    node =
        Node.start(
                TestDatabase.config(Map.of("TASKS_PROCESSING_DELAY_MS", Long.toString(DELAY_MS))))
            .await(30, TimeUnit.SECONDS);
    api = new ApiClient(node.vertx(), node.port());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  private static JsonObject fetch(long id) {
    return api.get("/api/v1/tasks/" + id + "/").bodyAsJsonObject();
  }

  @Test
  void anEvenTitleEndsDoneAndAnOddOneFailed() {
    long even = api.create("Process report").getLong("id");
    long odd = api.create("Process").getLong("id");
    JsonObject processing =
        Await.until(
            "the task is processing",
            Duration.ofSeconds(5),
            () -> fetch(even),
            t -> !t.getString("status").equals("new"));
    assertThat(processing.getString("status")).isEqualTo("processing");
    assertThat(processing.getValue("result")).isNull();

    JsonObject done =
        Await.until(
            "the even task is final",
            Duration.ofSeconds(10),
            () -> fetch(even),
            t -> t.getValue("result") != null);
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getString("result")).isEqualTo("success");
    JsonObject failed =
        Await.until(
            "the odd task is final",
            Duration.ofSeconds(10),
            () -> fetch(odd),
            t -> t.getValue("result") != null);
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("result")).isEqualTo("error");
  }

  @Test
  void theDelayIsWaitedBeforeTheOutcome() {
    JsonObject created = api.create("Process report");
    JsonObject done =
        Await.until(
            "final",
            Duration.ofSeconds(10),
            () -> fetch(created.getLong("id")),
            t -> t.getValue("result") != null);
    java.time.Instant start = java.time.Instant.parse(created.getString("created_at"));
    java.time.Instant end = java.time.Instant.parse(done.getString("updated_at"));
    assertThat(Duration.between(start, end)).isGreaterThanOrEqualTo(Duration.ofMillis(DELAY_MS));
  }

  @Test
  void aBurstOfTasksAllFinishAboutOneDelayLater() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(api.create("burst " + i).getLong("id"));
    }
    Await.until(
        "all 300 tasks are final",
        Duration.ofSeconds(20),
        () ->
            api.get("/api/v1/tasks/?status=new").bodyAsJsonObject().getLong("count")
                + api.get("/api/v1/tasks/?status=processing").bodyAsJsonObject().getLong("count"),
        open -> open == 0);
    long done = api.get("/api/v1/tasks/?status=done").bodyAsJsonObject().getLong("count");
    long failed = api.get("/api/v1/tasks/?status=failed").bodyAsJsonObject().getLong("count");
    // "burst 0".."burst 9" are 7 characters, "burst 10".."burst 99" 8, "burst 100".. 9
    assertThat(failed).isEqualTo(10 + 200);
    assertThat(done).isEqualTo(90);
  }

  @Test
  void aTaskWhoseMessageWasLostIsStillProcessed() {
    // a row inserted behind the service's back: no event-bus message was ever sent for it
    TestDatabase.execute(
        "INSERT INTO tasks (title, created_at) VALUES ('lost message', now() - interval '1 minute')");
    JsonObject done =
        Await.until(
            "the sweep finished it",
            Duration.ofSeconds(10),
            () -> fetch(1),
            t -> t.getValue("result") != null);
    assertThat(done.getString("status")).isEqualTo("done");
  }
}
