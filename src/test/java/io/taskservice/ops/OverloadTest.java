package io.taskservice.ops;

import static io.taskservice.ops.OpsTesting.await;
import static io.taskservice.ops.OpsTesting.metric;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node with {@code TASKS_MAX_PENDING=4} whose database work is held up (the tasks table locked by
 * another session): four requests wait inside the node, every further API request is answered 503
 * with Retry-After at once, the node stays live, and once the database moves again everything
 * waiting is answered and new requests are served again.
 */
class OverloadTest {
  private static final int MAX_PENDING = 4;
  private static final JsonObject OVERLOADED =
      new JsonObject().put("detail", "Too many requests in progress, try again later.");

  private Node node;
  private Client client;

  @BeforeEach
  void start() {
    TestDatabase.reset();
    // the held-up requests must not reach the database time limit while the table is locked
    node =
        startNode(
            Map.of(
                "TASKS_ROLE", "http",
                "TASKS_MAX_PENDING", Integer.toString(MAX_PENDING),
                "TASKS_DB_TIMEOUT_MS", "60000"));
    await(node.startup());
    client = new Client(node.vertx(), node.port());
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(node);
  }

  private Future<HttpResponse<Buffer>> postAsync(String title) {
    return WebClient.create(
            node.vertx(),
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()))
        .post("/api/v1/tasks/")
        .sendJsonObject(new JsonObject().put("title", title));
  }

  private double pending() {
    return metric(client.get("/metrics").bodyAsString(), "tasks_api_pending");
  }

  @Test
  void pastItsBoundTheNodeAnswers503AtOnceAndRecovers() throws Exception {
    List<Future<HttpResponse<Buffer>>> held = new ArrayList<>();
    try (Connection locker = TestDatabase.connect();
        Statement s = locker.createStatement()) {
      locker.setAutoCommit(false);
      s.execute("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE");
      for (int i = 0; i < MAX_PENDING; i++) {
        held.add(postAsync("held " + i));
      }
      Await.until("the node holds its bound", Duration.ofSeconds(20), this::pending, n -> n == 4);

      HttpResponse<Buffer> post = client.post("/api/v1/tasks/", new JsonObject().put("title", "x"));
      HttpResponse<Buffer> get = client.get("/api/v1/tasks/1/");
      // answered while the table is still locked: nobody waited for the database
      assertThat(held).noneMatch(Future::isComplete);
      for (HttpResponse<Buffer> r : List.of(post, get)) {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.getHeader("Retry-After")).isEqualTo("1");
        assertThat(r.bodyAsJsonObject()).isEqualTo(OVERLOADED);
      }
      assertThat(client.statusCode("/health/live")).isEqualTo(200);
      assertThat(metric(client.get("/metrics").bodyAsString(), "tasks_api_overloaded_total"))
          .isEqualTo(2.0);
      locker.commit();
    }

    for (Future<HttpResponse<Buffer>> f : held) {
      assertThat(await(f).statusCode()).isEqualTo(201);
    }
    Await.until("the node holds nothing", Duration.ofSeconds(20), this::pending, n -> n == 0);
    assertThat(client.create("after")).isPositive();
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isEqualTo(MAX_PENDING + 1);
  }
}
