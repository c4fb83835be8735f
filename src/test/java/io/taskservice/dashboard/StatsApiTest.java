package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/v1/stats/} on an HTTP-only service.node() (no worker of its own changes the
 * tasks).
 */
class StatsApiTest {
  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  @Test
  void tasksInFlightPerWorkerAsTheDatabaseHoldsThem() {
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, claimed_by) VALUES"
            + " ('a', 'processing', 'worker-aaaa'), ('b', 'processing', 'worker-aaaa'),"
            + " ('c', 'processing', 'worker-bbbb'), ('d', 'new', NULL), ('e', 'done', NULL)");

    JsonArray expected =
        new JsonArray()
            .add(new JsonObject().put("worker", "worker-aaaa").put("in_flight", 2))
            .add(new JsonObject().put("worker", "worker-bbbb").put("in_flight", 1));

    // figures shared by all viewers may be up to a second old
    Await.until(
        "the stats show the tasks in flight",
        Duration.ofSeconds(10),
        () -> service.api().get("/api/v1/stats/").bodyAsJsonObject().getJsonArray("workers"),
        expected::equals);
  }

  @Test
  void theShapeTheDashboardReads() {
    HttpResponse<Buffer> response = service.api().get("/api/v1/stats");
    JsonObject stats = response.bodyAsJsonObject();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject throughput = stats.getJsonObject("throughput");
    assertThat(throughput.getInteger("step_seconds")).isEqualTo(1);
    assertThat(throughput.getJsonArray("created")).hasSize(900);
    assertThat(throughput.getJsonArray("finished")).hasSize(900);
    assertThat(throughput.getString("end")).endsWith("Z");
    JsonObject completion = stats.getJsonObject("completion");
    assertThat(completion.getInteger("window_seconds")).isEqualTo(300);
    assertThat(completion.containsKey("p50_seconds")).isTrue();
    assertThat(completion.containsKey("p95_seconds")).isTrue();
    assertThat(stats.getString("since")).endsWith("Z");
    assertThat(stats.containsKey("counts")).isTrue();
  }

  @Test
  void tenViewersAskingAtOnceGetOneAnswer() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, claimed_by) VALUES ('a', 'processing', 'worker-cccc')");
    WebClient client = WebClient.create(service.node().vertx());
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(client.get(service.node().port(), "localhost", "/api/v1/stats/").send());
    }
    Future.all(calls).await(20, TimeUnit.SECONDS);

    for (Future<HttpResponse<Buffer>> call : calls) {
      assertThat(call.result().statusCode()).isEqualTo(200);
      assertThat(call.result().bodyAsJsonObject().getJsonArray("workers"))
          .isEqualTo(calls.get(0).result().bodyAsJsonObject().getJsonArray("workers"));
    }
  }
}
