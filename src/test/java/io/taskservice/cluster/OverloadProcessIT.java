package io.taskservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An API node in its own JVM with a 256 MB heap ({@link NodeProcess}'s {@code -Xmx256m}) gets far
 * more at once than that heap can hold: 400 creates with bodies of almost a megabyte each (the body
 * limit; the title is short, the rest an ignored field). It must answer each one 201 or 503, never
 * run out of memory, and serve normally afterwards.
 */
@ExtendWith(VertxExtension.class)
class OverloadProcessIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final int REQUESTS = 400;

  private NodeProcess node;

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      node.stop();
    }
  }

  @Test
  void aSmallHeapAnswersEverythingItCannotHoldWith503(Vertx vertx) throws Exception {
    int port = LoopbackCluster.freePort();
    node =
        NodeProcess.start(
            "overload-http",
            Map.of(
                "TASKS_DB_URL", TestDatabase.url(),
                "TASKS_ROLE", "http",
                "TASKS_HTTP_PORT", Integer.toString(port),
                "TASKS_HTTP_INSTANCES", "2",
                "TASKS_LOG_FORMAT", "text"));
    node.logged(vertx, "HTTP API on port", START).await(START.toSeconds() + 10, TimeUnit.SECONDS);
    WebClient web =
        WebClient.create(
            vertx,
            new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(REQUESTS));
    Buffer big = new JsonObject().put("title", "big").put("pad", "x".repeat(1_000_000)).toBuffer();

    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      answers.add(
          web.post("/api/v1/tasks/")
              .putHeader("Content-Type", "application/json")
              .timeout(60_000)
              .sendBuffer(big));
    }
    Future.join(answers).otherwiseEmpty().await(120, TimeUnit.SECONDS);

    List<Integer> statuses =
        answers.stream().filter(Future::succeeded).map(f -> f.result().statusCode()).toList();
    assertThat(statuses).as("answers").isNotEmpty().allMatch(s -> s == 201 || s == 503);
    assertThat(statuses).as("some were over the bound").contains(503);
    assertThat(node.exit().isComplete()).as("the node exited").isFalse();
    HttpResponse<Buffer> live = web.get("/health/live").send().await(30, TimeUnit.SECONDS);
    assertThat(live.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> after =
        web.post("/api/v1/tasks/")
            .sendJsonObject(new JsonObject().put("title", "after"))
            .await(30, TimeUnit.SECONDS);
    assertThat(after.statusCode()).isEqualTo(201);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE title = 'big'"))
        .isGreaterThanOrEqualTo(statuses.stream().filter(s -> s == 201).count());
  }
}
