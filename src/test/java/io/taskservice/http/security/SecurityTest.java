package io.taskservice.http.security;

import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.LogCapture;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with every control on: allowed hosts, API tokens read from a file (TASKS_API_TOKENS_FILE),
 * a small body limit, and a database password in its URL (a role of its own that signs in with it).
 * All its log output is captured.
 */
@ExtendWith(VertxExtension.class)
class SecurityTest {
  private static final String TOKEN = "tok-Alpha-7f3c9e";
  private static final String OTHER_TOKEN = "tok-beta-0d41aa";
  private static final String WRONG_TOKEN = "tok-wrong-b5e2c1";
  private static final String DB_PASSWORD = "db-secret-c0ffee";
  private static final String HOST = "api.example.com";

  private LogCapture logs;
  private Node node;
  private Client client;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    TestDatabase.reset();
    logs = new LogCapture("io.taskservice", "io.vertx");
    Path tokens = Files.writeString(dir.resolve("api_tokens"), TOKEN + "," + OTHER_TOKEN + "\n");
    node =
        startNode(
            Map.of(
                "TASKS_ALLOWED_HOSTS",
                HOST + ",.example.org",
                "TASKS_API_TOKENS_FILE",
                tokens.toString(),
                "TASKS_BODY_LIMIT_BYTES",
                "2048",
                "TASKS_DB_URL",
                TestDatabase.urlWithPassword(DB_PASSWORD)));
    client = new Client(vertx, node.port());
    OpsTesting.await(node.startup());
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(node);
    logs.close();
  }

  private HttpResponse<Buffer> api(HttpMethod method, String path, Object body, String... more) {
    String[] headers = new String[more.length + 4];
    headers[0] = "Host";
    headers[1] = HOST;
    headers[2] = "Authorization";
    headers[3] = "Bearer " + TOKEN;
    System.arraycopy(more, 0, headers, 4, more.length);
    return client.send(method, path, body, headers);
  }

  @Test
  void anotherHostIsRejectedLikeDjangoDoes() {
    HttpResponse<Buffer> response =
        client.get("/api/v1/tasks/", "Host", "evil.com", "Authorization", "Bearer " + TOKEN);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Invalid HTTP_HOST header: 'evil.com'."));
    assertThat(
            client.statusCode(
                "/api/v1/tasks/",
                "Host",
                "API.EXAMPLE.COM:8443",
                "Authorization",
                "Bearer " + TOKEN))
        .isEqualTo(200);
    assertThat(
            client.statusCode(
                "/api/v1/tasks/", "Host", "eu.example.org", "Authorization", "Bearer " + TOKEN))
        .isEqualTo(200);
  }

  @Test
  void healthAndMetricsAnswerAnyHostWithoutToken() {
    assertThat(client.statusCode("/health/live", "Host", "10.1.2.3:8000")).isEqualTo(200);
    assertThat(client.statusCode("/health/ready", "Host", "10.1.2.3:8000")).isEqualTo(200);
    assertThat(client.statusCode("/metrics", "Host", "10.1.2.3:8000")).isEqualTo(200);
  }

  @Test
  void theApiWantsABearerToken() {
    HttpResponse<Buffer> missing = client.get("/api/v1/tasks/", "Host", HOST);
    HttpResponse<Buffer> wrong =
        client.get("/api/v1/tasks/", "Host", HOST, "Authorization", "Bearer " + WRONG_TOKEN);
    HttpResponse<Buffer> postWithout =
        client.post("/api/v1/tasks/", new JsonObject().put("title", "x"), "Host", HOST);

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Authentication credentials were not provided."));
    assertThat(missing.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\"");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Invalid token."));
    assertThat(postWithout.statusCode()).isEqualTo(401);
    assertThat(client.statusCode("/api/v1/tasks/1/", "Host", HOST)).isEqualTo(401);
    // the stream, the history and the long poll are API calls like the others
    assertThat(client.statusCode("/api/v1/events/", "Host", HOST)).isEqualTo(401);
    assertThat(client.statusCode("/api/v1/tasks/1/history/", "Host", HOST)).isEqualTo(401);
    assertThat(client.statusCode("/api/v1/tasks/1/?wait=30", "Host", HOST)).isEqualTo(401);
  }

  @Test
  void pathsThatNormaliseIntoTheApiWantATokenToo() {
    // the router matches the normalised path: the token guard must judge that one too, or these
    // would reach the API without a token
    for (String path :
        List.of("//api/v1/tasks/", "/./api/v1/tasks/", "/x/../api/v1/tasks/", "/%61pi/v1/tasks/")) {
      assertThat(client.statusCode(path, "Host", HOST, "Authorization", "Bearer " + TOKEN))
          .as("%s with the token reaches the API", path)
          .isEqualTo(200);
      HttpResponse<Buffer> without = client.get(path, "Host", HOST);
      assertThat(without.statusCode()).as("%s without a token", path).isEqualTo(401);
      assertThat(without.bodyAsJsonObject())
          .isEqualTo(
              new JsonObject().put("detail", "Authentication credentials were not provided."));
    }
  }

  @Test
  void eitherTokenFromTheFileIsAccepted() {
    HttpResponse<Buffer> created =
        api(HttpMethod.POST, "/api/v1/tasks/", new JsonObject().put("title", "secured"));

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(
            client.statusCode(
                "/api/v1/tasks/", "Host", HOST, "Authorization", "bearer " + OTHER_TOKEN))
        .isEqualTo(200);
  }

  @Test
  void everyAnswerCarriesTheSecurityHeaders() {
    List<HttpResponse<Buffer>> answers =
        List.of(
            api(HttpMethod.GET, "/api/v1/tasks/", null),
            api(HttpMethod.GET, "/api/v1/tasks/999/", null),
            client.get("/api/v1/tasks/", "Host", HOST),
            client.get("/health/live"),
            client.get("/swagger/", "Host", HOST),
            client.get("/nowhere", "Host", HOST));

    for (HttpResponse<Buffer> answer : answers) {
      assertThat(answer.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(answer.getHeader("X-Frame-Options")).isEqualTo("DENY");
      assertThat(answer.getHeader("Referrer-Policy")).isEqualTo("same-origin");
      assertThat(answer.getHeader("Content-Security-Policy"))
          .contains("default-src 'self'")
          .contains("script-src 'self';")
          .contains("frame-ancestors 'none'");
      // only over TLS
      assertThat(answer.getHeader("Strict-Transport-Security")).isNull();
    }
    assertThat(answers.get(4).statusCode()).isEqualTo(200);
  }

  @Test
  void aTooLargeBodyIs413() {
    String title = "x".repeat(3000);

    HttpResponse<Buffer> response =
        api(HttpMethod.POST, "/api/v1/tasks/", new JsonObject().put("title", title));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Request body is too large."));
  }

  @Test
  void errorAnswersNeverShowAStackTrace() {
    List<HttpResponse<Buffer>> answers =
        List.of(
            api(
                HttpMethod.POST,
                "/api/v1/tasks/",
                "{\"title\": ",
                "Content-Type",
                "application/json"),
            api(HttpMethod.POST, "/api/v1/tasks/", "<x/>", "Content-Type", "application/xml"),
            api(HttpMethod.DELETE, "/api/v1/tasks/1/", null),
            api(HttpMethod.GET, "/api/v1/tasks/?page=99", null));

    for (HttpResponse<Buffer> answer : answers) {
      assertThat(answer.statusCode()).isBetween(400, 499);
      assertThat(answer.bodyAsJsonObject().fieldNames()).containsExactly("detail");
      assertThat(answer.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void noSecretEverReachesTheLog(Vertx vertx) {
    for (String token : List.of(TOKEN, OTHER_TOKEN, WRONG_TOKEN, "Bearer x " + WRONG_TOKEN)) {
      client.get("/api/v1/tasks/", "Host", HOST, "Authorization", "Bearer " + token);
      client.post(
          "/api/v1/tasks/",
          new JsonObject().put("title", "t"),
          "Host",
          HOST,
          "Authorization",
          "Bearer " + token,
          "X-Request-Id",
          "secret-check");
    }
    client.get("/api/v1/tasks/", "Host", "evil.com", "Authorization", "Bearer " + TOKEN);
    eventually(vertx, Duration.ofSeconds(10), () -> logs.withRequestId("secret-check").size() >= 4);

    List<String> lines = logs.lines();
    assertThat(lines).isNotEmpty();
    for (String secret : List.of(TOKEN, OTHER_TOKEN, WRONG_TOKEN, DB_PASSWORD)) {
      assertThat(lines).noneMatch(line -> line.contains(secret));
    }
  }
}
