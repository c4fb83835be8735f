package io.taskservice.ops;

import static io.taskservice.ops.OpsTesting.closedPort;
import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HealthTest {
  private final List<Node> nodes = new ArrayList<>();

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(OpsTesting::stop);
  }

  private Node node(Map<String, String> env) {
    Node node = startNode(env);
    nodes.add(node);
    return node;
  }

  @Test
  void liveAnswers200WithJson(Vertx vertx) {
    Client client = new Client(vertx, node(Map.of()).port());

    HttpResponse<Buffer> live = client.get("/health/live");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.getHeader("Content-Type")).startsWith("application/json");
    assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    assertThat(client.send(HttpMethod.HEAD, "/health/live", null).statusCode()).isEqualTo(200);
  }

  @Test
  void readyOnceDatabaseSchemaAndWorkerAreUp(Vertx vertx) {
    Node node = node(Map.of("TASKS_ROLE", "all"));
    Client client = new Client(vertx, node.port());
    OpsTesting.await(node.startup());

    HttpResponse<Buffer> ready = client.get("/health/ready");

    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject body = ready.bodyAsJsonObject();
    assertThat(body.getString("status")).isEqualTo("UP");
    // no "cluster" check: this node is not clustered
    assertThat(checkIds(body))
        .containsExactlyInAnyOrder("database", "schema", "worker", "changefeed");
  }

  @Test
  void aLoweredConditionMakesTheNodeNotReadyWithItsReason(Vertx vertx) {
    Node node = node(Map.of());
    Client client = new Client(vertx, node.port());
    OpsTesting.await(node.startup());
    Readiness.Condition schema = node.readiness().get(Readiness.SCHEMA).orElseThrow();

    schema.down("schema being repaired");
    HttpResponse<Buffer> notReady = client.get("/health/ready");
    schema.up();

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
    assertThat(notReady.bodyAsJsonObject().getString("reason"))
        .isEqualTo("schema: schema being repaired");
    assertThat(client.statusCode("/health/ready")).isEqualTo(200);
  }

  @Test
  void anHttpNodeHasNoWorkerCheck(Vertx vertx) {
    Node node = node(Map.of("TASKS_ROLE", "http"));
    OpsTesting.await(node.startup());

    HttpResponse<Buffer> ready = new Client(vertx, node.port()).get("/health/ready");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(checkIds(ready.bodyAsJsonObject()))
        .containsExactlyInAnyOrder("database", "schema", "changefeed");
  }

  @Test
  void aWorkerNodeServesHealthAndMetricsButNoApi(Vertx vertx) {
    Node node = node(Map.of("TASKS_ROLE", "worker"));
    Client client = new Client(vertx, node.port());

    eventually(vertx, Duration.ofSeconds(20), () -> client.statusCode("/health/ready") == 200);

    assertThat(client.statusCode("/health/live")).isEqualTo(200);
    HttpResponse<Buffer> metrics = client.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(OpsTesting.metric(metrics.bodyAsString(), "tasks_worker_consumers")).isEqualTo(1.0);
    HttpResponse<Buffer> api = client.get("/api/v1/tasks/");
    assertThat(api.statusCode()).isEqualTo(404);
    assertThat(api.bodyAsJsonObject()).isEqualTo(new JsonObject().put("detail", "Not found."));
    assertThat(client.statusCode("/swagger/")).isEqualTo(404);
    assertThat(api.getHeader("X-Request-Id")).isNotBlank();
  }

  @Test
  void withoutDatabaseTheNodeIsLiveButNotReady(Vertx vertx) {
    Node node =
        node(
            Map.of(
                "TASKS_DB_URL",
                "postgresql://postgres:secret@127.0.0.1:" + closedPort() + "/tasks"));
    Client client = new Client(vertx, node.port());

    HttpResponse<Buffer> ready = client.get("/health/ready");

    assertThat(client.statusCode("/health/live")).isEqualTo(200);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("reason"))
        .contains("database: database not reachable")
        .contains("schema: database schema not migrated yet");
  }

  private static List<String> checkIds(JsonObject body) {
    JsonArray checks = body.getJsonArray("checks");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      ids.add(checks.getJsonObject(i).getString("id"));
    }
    return ids;
  }
}
