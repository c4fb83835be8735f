package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /api/v1/tasks/bulk/}: all or nothing in one statement, answered in input order, with
 * history and counts as if created one by one, an Idempotency-Key for the whole list, and every
 * task processed by the workers it woke.
 */
class BulkCreateTest {
  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(
          Map.of("TASKS_PROCESSING_DELAY_MS", "100", "TASKS_SWEEP_INTERVAL_MS", "3600000"));

  private static HttpResponse<Buffer> bulk(JsonArray items, Map<String, String> headers) {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("Content-Type", "application/json");
    return service
        .api()
        .send(HttpMethod.POST, "/api/v1/tasks/bulk/", all, Buffer.buffer(items.encode()));
  }

  private static JsonArray items(int n, String queue) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < n; i++) {
      items.add(new JsonObject().put("title", "t" + i).put("queue", queue).put("priority", i % 10));
    }
    return items;
  }

  @Test
  void aValidListIsCreatedInInputOrderWithItsHistoryAndCountsAndProcessed() {
    HttpResponse<Buffer> created = bulk(items(250, "bulk"), Map.of());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonArray tasks = created.bodyAsJsonArray();
    assertThat(tasks).hasSize(250);
    for (int i = 0; i < 250; i++) {
      JsonObject task = tasks.getJsonObject(i);
      assertThat(task.getString("title")).isEqualTo("t" + i);
      assertThat(task.getString("queue")).isEqualTo("bulk");
      assertThat(task.getInteger("priority")).isEqualTo(i % 10);
      assertThat(task.getString("status")).isEqualTo("new");
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE event = 'created'"))
        .isEqualTo(250);
    JsonObject counts =
        service.api().get("/api/v1/tasks/?queue=bulk&page_size=1").bodyAsJsonObject();
    assertThat(counts.getLong("count")).isEqualTo(250);
    // the wake-up of the batch's queue starts them all (the sweep is an hour away)
    Await.until(
        "all done",
        Duration.ofSeconds(60),
        () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status IN ('done', 'failed')"),
        n -> n == 250);
  }

  @Test
  void oneInvalidItemCreatesNothingAndNamesItsErrors() {
    JsonArray items = items(3, "default");
    items.getJsonObject(1).put("title", " ");
    items.getJsonObject(2).put("priority", 10);
    HttpResponse<Buffer> refused = bulk(items, Map.of());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonArray())
        .isEqualTo(
            new JsonArray()
                .add(new JsonObject())
                .add(
                    new JsonObject()
                        .put("title", new JsonArray().add("This field may not be blank.")))
                .add(
                    new JsonObject()
                        .put(
                            "priority",
                            new JsonArray().add("Ensure this value is less than or equal to 9."))));
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isZero();
  }

  @Test
  void aKeyStandsForTheWholeListAndAnotherListWithItIsRefused() {
    Map<String, String> key = Map.of("Idempotency-Key", "batch-1");
    JsonArray first = bulk(items(5, "default"), key).bodyAsJsonArray();
    HttpResponse<Buffer> again = bulk(items(5, "default"), key);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.bodyAsJsonArray().stream().map(t -> ((JsonObject) t).getLong("id")).toList())
        .isEqualTo(first.stream().map(t -> ((JsonObject) t).getLong("id")).toList());
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isEqualTo(5);

    assertThat(bulk(items(4, "default"), key).statusCode()).isEqualTo(422);
    // the same key on a single create is another request too
    HttpResponse<Buffer> single =
        service
            .api()
            .send(
                HttpMethod.POST,
                "/api/v1/tasks/",
                Map.of("Content-Type", "application/json", "Idempotency-Key", "batch-1"),
                Buffer.buffer(new JsonObject().put("title", "t0").encode()));
    assertThat(single.statusCode()).isEqualTo(422);
  }

  @Test
  void aKeyedCreateWithAnotherRunAfterIsAnotherRequest() {
    Map<String, String> headers =
        Map.of("Content-Type", "application/json", "Idempotency-Key", "later-1");
    JsonObject body =
        new JsonObject().put("title", "report").put("run_after", "2030-01-01T10:00:00+02:00");
    HttpResponse<Buffer> first =
        service
            .api()
            .send(HttpMethod.POST, "/api/v1/tasks/", headers, Buffer.buffer(body.encode()));
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.bodyAsJsonObject().getString("run_after")).isEqualTo("2030-01-01T08:00:00Z");
    // the same instant written in UTC is the same request
    HttpResponse<Buffer> same =
        service
            .api()
            .send(
                HttpMethod.POST,
                "/api/v1/tasks/",
                headers,
                Buffer.buffer(body.copy().put("run_after", "2030-01-01T08:00:00Z").encode()));
    assertThat(same.statusCode()).isEqualTo(201);
    assertThat(same.getHeader("Idempotent-Replayed")).isEqualTo("true");
    HttpResponse<Buffer> other =
        service
            .api()
            .send(
                HttpMethod.POST,
                "/api/v1/tasks/",
                headers,
                Buffer.buffer(body.copy().put("run_after", "2030-01-02T08:00:00Z").encode()));
    assertThat(other.statusCode()).isEqualTo(422);
  }
}
