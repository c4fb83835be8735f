package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on {@code POST /api/v1/tasks/}, as the IETF httpapi draft has it: a retry
 * gets the first request's task back, never a second one, also when retries race on two nodes; the
 * key with another body is a 422; malformed keys are a 400. API-only nodes (no worker), so stored
 * statuses stay where the tests put them.
 */
class IdempotencyTest {
  private static final String TASKS = "/api/v1/tasks/";
  private static Node node;
  private static Node other;

  @BeforeAll
  static void start() throws Exception {
    node = startNode(Map.of());
    other = startNode(Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
    other.close().await(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  private static Node startNode(Map<String, String> overrides) throws Exception {
    Map<String, String> settings = new HashMap<>(Map.of("TASKS_ROLE", "http"));
    settings.putAll(overrides);
    Node started = Node.start(TestDatabase.config(settings)).await(30, TimeUnit.SECONDS);
    started.startup().await(30, TimeUnit.SECONDS);
    return started;
  }

  private static HttpResponse<Buffer> post(Node on, String title, String... headers) {
    try {
      return send(on, title, headers).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code headers}: name, value, name, value... (a name may repeat). */
  private static Future<HttpResponse<Buffer>> send(Node on, String title, String... headers) {
    var request =
        WebClient.create(
                on.vertx(),
                new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(on.port()))
            .post(TASKS);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.headers().add(headers[i], headers[i + 1]);
    }
    return request.sendJsonObject(new JsonObject().put("title", title));
  }

  private static long tasks() {
    return TestDatabase.count("SELECT count(*) FROM tasks");
  }

  @Test
  void aRetryWithTheKeyGetsTheSameTaskBackAsItIsNow() {
    HttpResponse<Buffer> first = post(node, "Process report", "Idempotency-Key", "k-1");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.getHeader("Idempotent-Replayed")).isNull();
    long id = first.bodyAsJsonObject().getLong("id");
    TestDatabase.execute("UPDATE tasks SET status = 'done', result = 'success' WHERE id = " + id);

    HttpResponse<Buffer> retry = post(node, "Process report", "Idempotency-Key", "k-1");

    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    JsonObject task = retry.bodyAsJsonObject();
    assertThat(task.getLong("id")).isEqualTo(id);
    assertThat(task.getString("status")).isEqualTo("done");
    assertThat(task.getString("result")).isEqualTo("success");
    assertThat(tasks()).isEqualTo(1);
  }

  @Test
  void theSameKeyWithAnotherTitleIs422AndCreatesNothing() {
    long id =
        post(node, "Process report", "Idempotency-Key", "k-1").bodyAsJsonObject().getLong("id");

    HttpResponse<Buffer> other = post(node, "Another report", "Idempotency-Key", "k-1");

    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("detail", "This Idempotency-Key was already used with a different request."));
    assertThat(tasks()).isEqualTo(1);
    // the same validated request is the same body: the title is trimmed before comparing
    HttpResponse<Buffer> padded = post(node, "  Process report ", "Idempotency-Key", "k-1");
    assertThat(padded.statusCode()).isEqualTo(201);
    assertThat(padded.bodyAsJsonObject().getLong("id")).isEqualTo(id);
  }

  @Test
  void keysAreOptionalAndIndependent() {
    long a = post(node, "t", "Idempotency-Key", "a").bodyAsJsonObject().getLong("id");
    long b = post(node, "t", "Idempotency-Key", "b").bodyAsJsonObject().getLong("id");
    long none1 = post(node, "t").bodyAsJsonObject().getLong("id");
    long none2 = post(node, "t").bodyAsJsonObject().getLong("id");
    assertThat(List.of(a, b, none1, none2)).doesNotHaveDuplicates();
    assertThat(tasks()).isEqualTo(4);
  }

  @Test
  void theQuotedStructuredFieldFormNamesTheSameKey() {
    long id = post(node, "t", "Idempotency-Key", "\"k-1\"").bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> bare = post(node, "t", "Idempotency-Key", "k-1");
    assertThat(bare.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(bare.bodyAsJsonObject().getLong("id")).isEqualTo(id);
  }

  @Test
  void malformedKeysAre400WithoutCreating() {
    String invalid = "Idempotency-Key must be 1 to 255 printable ASCII characters.";
    List<String> bad =
        List.of("x".repeat(256), "caf\u00e9", "", "\"unterminated", "\"a\"b\"", "\"\\x\"");
    for (String key : bad) {
      HttpResponse<Buffer> r = post(node, "t", "Idempotency-Key", key);
      assertThat(r.statusCode()).as(key).isEqualTo(400);
      assertThat(r.bodyAsJsonObject()).as(key).isEqualTo(new JsonObject().put("detail", invalid));
    }
    HttpResponse<Buffer> twice = post(node, "t", "Idempotency-Key", "a", "Idempotency-Key", "b");
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.bodyAsJsonObject().getString("detail"))
        .isEqualTo("Send at most one Idempotency-Key header.");
    assertThat(tasks()).isZero();
    assertThat(post(node, "t", "Idempotency-Key", "~".repeat(255)).statusCode()).isEqualTo(201);
  }

  @Test
  void twentyRetriesRacingOnTwoNodesMakeOneTask() throws Exception {
    List<Future<HttpResponse<Buffer>>> racing = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      racing.add(send(i % 2 == 0 ? node : other, "Race", "Idempotency-Key", "race-1"));
    }
    Future.join(racing).await(30, TimeUnit.SECONDS);

    assertThat(tasks()).isEqualTo(1);
    long id = TestDatabase.count("SELECT id FROM tasks");
    int created = 0;
    for (Future<HttpResponse<Buffer>> f : racing) {
      HttpResponse<Buffer> r = f.result();
      // the draft's answers: the task (created or replayed), or 409 while the first is in flight
      assertThat(r.statusCode()).as(r.bodyAsString()).isIn(201, 409);
      if (r.statusCode() == 201) {
        assertThat(r.bodyAsJsonObject().getLong("id")).isEqualTo(id);
        created += r.getHeader("Idempotent-Replayed") == null ? 1 : 0;
      } else {
        assertThat(r.getHeader("Retry-After")).isNotNull();
      }
    }
    assertThat(created).as("answers that created the task").isEqualTo(1);
    // every client that retries after a 409 gets the task
    HttpResponse<Buffer> late = post(other, "Race", "Idempotency-Key", "race-1");
    assertThat(late.bodyAsJsonObject().getLong("id")).isEqualTo(id);
  }

  @Test
  void aKeyGoesWithItsDeletedTask() {
    long id = post(node, "t", "Idempotency-Key", "k").bodyAsJsonObject().getLong("id");
    TestDatabase.execute("DELETE FROM tasks WHERE id = " + id);
    assertThat(TestDatabase.count("SELECT count(*) FROM idempotency_keys")).isZero();

    HttpResponse<Buffer> again = post(node, "t", "Idempotency-Key", "k");
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(again.getHeader("Idempotent-Replayed")).isNull();
    assertThat(again.bodyAsJsonObject().getLong("id")).isNotEqualTo(id);
  }

  @Test
  void withTokensEachTokenHasItsOwnKeys() throws Exception {
    Node secured = startNode(Map.of("TASKS_API_TOKENS", "token-a,token-b"));
    try {
      long a =
          post(secured, "t", "Authorization", "Bearer token-a", "Idempotency-Key", "k")
              .bodyAsJsonObject()
              .getLong("id");
      HttpResponse<Buffer> b =
          post(secured, "t", "Authorization", "Bearer token-b", "Idempotency-Key", "k");
      assertThat(b.statusCode()).isEqualTo(201);
      assertThat(b.getHeader("Idempotent-Replayed")).isNull();
      assertThat(b.bodyAsJsonObject().getLong("id")).isNotEqualTo(a);
      HttpResponse<Buffer> againA =
          post(secured, "t", "Authorization", "Bearer token-a", "Idempotency-Key", "k");
      assertThat(againA.getHeader("Idempotent-Replayed")).isEqualTo("true");
      assertThat(againA.bodyAsJsonObject().getLong("id")).isEqualTo(a);
      // the token itself is never stored, only its digest
      assertThat(
              TestDatabase.count(
                  "SELECT count(*) FROM idempotency_keys"
                      + " WHERE scope IN (sha256('token-a'), sha256('token-b'))"))
          .isEqualTo(2);
    } finally {
      secured.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void anExpiredKeyCreatesANewTaskAndIsPruned() throws Exception {
    Node shortLived = startNode(Map.of("TASKS_IDEMPOTENCY_TTL", "1s"));
    try {
      long id = post(shortLived, "t", "Idempotency-Key", "k").bodyAsJsonObject().getLong("id");
      assertThat(post(shortLived, "t", "Idempotency-Key", "k").getHeader("Idempotent-Replayed"))
          .isEqualTo("true");
      Await.until(
          "the key is older than its time to live",
          Duration.ofSeconds(10),
          // the task's creation time is its key's (the pruner may delete the key meanwhile)
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM tasks WHERE id = "
                      + id
                      + " AND created_at < now() - interval '1 second'"),
          n -> n == 1);

      // once expired the key is free, also for another title
      HttpResponse<Buffer> after = post(shortLived, "other", "Idempotency-Key", "k");
      assertThat(after.statusCode()).isEqualTo(201);
      assertThat(after.getHeader("Idempotent-Replayed")).isNull();
      assertThat(after.bodyAsJsonObject().getLong("id")).isNotEqualTo(id);

      // and the pruner deletes keys that nobody reused
      post(shortLived, "t", "Idempotency-Key", "unused");
      Await.until(
          "expired keys are pruned",
          Duration.ofSeconds(20),
          () -> TestDatabase.count("SELECT count(*) FROM idempotency_keys"),
          n -> n == 0);
      assertThat(tasks()).isEqualTo(3);
    } finally {
      shortLived.close().await(30, TimeUnit.SECONDS);
    }
  }
}
