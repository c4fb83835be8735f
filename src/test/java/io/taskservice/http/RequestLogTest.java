package io.taskservice.http;

import static io.taskservice.ops.OpsTesting.closedPort;
import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.LogCapture;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
class RequestLogTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private Node node;
  private Client client;
  private LogCapture logs;

  @BeforeEach
  void start(Vertx vertx) {
    TestDatabase.reset();
    node = startNode(Map.of("TASKS_ACCESS_LOG", "all"));
    client = new Client(vertx, node.port());
    logs = new LogCapture();
  }

  @AfterEach
  void stop() {
    logs.close();
    OpsTesting.stop(node);
  }

  @Test
  void aSaneRequestIdIsEchoedAndEndsTheAccessLine(Vertx vertx) {
    HttpResponse<Buffer> response = client.get("/api/v1/tasks/", "X-Request-Id", "client-id-42");

    assertThat(response.getHeader("X-Request-Id")).isEqualTo("client-id-42");
    eventually(vertx, WAIT, () -> !logs.withRequestId("client-id-42").isEmpty());
    ILoggingEvent access = logs.withRequestId("client-id-42").get(0);
    assertThat(access.getLoggerName()).isEqualTo("io.taskservice.access");
    assertThat(access.getLevel()).isEqualTo(Level.INFO);
    assertThat(access.getFormattedMessage()).matches("GET /api/v1/tasks/ 200 \\d+ ms");
    assertThat(access.getKeyValuePairs())
        .extracting(kv -> kv.key)
        .containsExactly("method", "path", "status", "duration_ms");
  }

  @Test
  void byDefaultOnlyErrorsGetAnAccessLine(Vertx vertx) {
    OpsTesting.stop(node);
    node = startNode(Map.of());
    client = new Client(vertx, node.port());
    client.get("/api/v1/tasks/", "X-Request-Id", "fine-1");
    client.get("/api/v1/tasks/999/", "X-Request-Id", "missing-1");

    eventually(vertx, WAIT, () -> !logs.withRequestId("missing-1").isEmpty());
    assertThat(logs.withRequestId("missing-1").get(0).getFormattedMessage())
        .matches("GET /api/v1/tasks/999/ 404 \\d+ ms");
    assertThat(logs.withRequestId("fine-1")).isEmpty();
  }

  @Test
  void withoutARequestIdOneIsGenerated(Vertx vertx) {
    HttpResponse<Buffer> response = client.get("/health/live");

    String id = response.getHeader("X-Request-Id");
    assertThat(UUID.fromString(id)).isNotNull();
    eventually(vertx, WAIT, () -> !logs.withRequestId(id).isEmpty());
    assertThat(logs.withRequestId(id).get(0).getFormattedMessage())
        .startsWith("GET /health/live 200");
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "<script>", "quote\"d", "ü-nicode"})
  void anOddRequestIdIsReplaced(String sent) {
    HttpResponse<Buffer> response = client.get("/health/live", "X-Request-Id", sent);

    assertThat(response.getHeader("X-Request-Id")).isNotEqualTo(sent);
    assertThat(UUID.fromString(response.getHeader("X-Request-Id"))).isNotNull();
  }

  @Test
  void anOverlongRequestIdIsReplaced() {
    String sent = "a".repeat(129);

    HttpResponse<Buffer> response = client.get("/health/live", "X-Request-Id", sent);

    assertThat(response.getHeader("X-Request-Id")).hasSize(36);
    assertThat(
            client.get("/health/live", "X-Request-Id", "a".repeat(128)).getHeader("X-Request-Id"))
        .hasSize(128);
  }

  @Test
  void errorAnswersCarryTheRequestIdToo() {
    HttpResponse<Buffer> response =
        client.post("/api/v1/tasks/", new JsonObject(), "X-Request-Id", "bad-input-1");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("bad-input-1");
    assertThat(client.get("/nowhere", "X-Request-Id", "lost-1").getHeader("X-Request-Id"))
        .isEqualTo("lost-1");
  }

  @Test
  void theFailureHandlersLinesCarryTheRequestId(Vertx vertx) {
    // a second node whose database is down: its API answers 503 and says so in the log
    Node down =
        startNode(Map.of("TASKS_DB_URL", "postgresql://postgres@127.0.0.1:" + closedPort() + "/t"));
    try {
      HttpResponse<Buffer> response =
          new Client(vertx, down.port())
              .post(
                  "/api/v1/tasks/", new JsonObject().put("title", "x"), "X-Request-Id", "outage-7");

      assertThat(response.statusCode()).isEqualTo(503);
      eventually(vertx, WAIT, () -> logs.withRequestId("outage-7").size() >= 2);
      List<ILoggingEvent> lines = logs.withRequestId("outage-7");
      assertThat(lines)
          .anySatisfy(
              e -> {
                assertThat(e.getLoggerName()).endsWith("ApiFailureHandler");
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("database unavailable");
              })
          .anySatisfy(
              e -> assertThat(e.getFormattedMessage()).startsWith("POST /api/v1/tasks/ 503"));
    } finally {
      OpsTesting.stop(down);
    }
  }
}
