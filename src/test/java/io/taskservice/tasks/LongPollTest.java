package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.changefeed.SseClient;
import io.taskservice.drf.ApiError;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The long poll on {@code GET /api/v1/tasks/{id}/}: {@code ?wait=} and {@code Prefer: wait=} answer
 * when the task is final or the wait runs out; bad values are a 400; {@code ETag} and {@code
 * If-None-Match}; a client that leaves releases its waiter; waiting is not pending work.
 */
class LongPollTest {
  private static final long DELAY_MS = 600;
  // a generous sanity bound, far below any wait used here
  private static final Duration PROMPT = Duration.ofSeconds(8);

  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(
          Map.of(
              "TASKS_PROCESSING_DELAY_MS",
              Long.toString(DELAY_MS),
              // a handful of requests at once is all this node admits
              "TASKS_MAX_PENDING",
              "4"));

  private static HttpResponse<Buffer> get(String uri, Map<String, String> headers) {
    return service.api().send(HttpMethod.GET, uri, headers, null);
  }

  /** A task that stays processing for an hour: another worker holds it. */
  private static long heldElsewhere() {
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, claim_token, claimed_by, lease_until)"
            + " VALUES (9000, 'held', 'processing', gen_random_uuid(), 'elsewhere',"
            + " now() + interval '1 hour')");
    return 9000;
  }

  @Test
  void aWaitIsAnsweredWhenTheTaskIsFinal() {
    long id = service.api().create("ab").getLong("id");
    long started = System.nanoTime();
    HttpResponse<Buffer> answer = get("/api/v1/tasks/" + id + "/?wait=50", Map.of());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("done");
    assertThat(answer.getHeader("Preference-Applied")).isNull();
    assertThat(took)
        .as("answered at the completion, not at the end of the wait")
        .isLessThan(PROMPT);
    assertThat(answer.bodyAsJsonObject())
        .isEqualTo(service.api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject());
  }

  @Test
  void aWaitThatRunsOutAnswersTheTaskAsItStands() {
    long id = heldElsewhere();
    long started = System.nanoTime();
    HttpResponse<Buffer> answer = get("/api/v1/tasks/" + id + "/?wait=0.3", Map.of());
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("processing");
  }

  @Test
  void preferWaitDoesTheSameAndSaysSo() {
    long id = service.api().create("abc").getLong("id");
    HttpResponse<Buffer> answer =
        get("/api/v1/tasks/" + id + "/", Map.of("Prefer", "respond-async, wait=50"));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("failed");
    assertThat(answer.getHeader("Preference-Applied")).isEqualTo("wait=50");

    long held = heldElsewhere();
    // ?wait wins over Prefer; a malformed preference is ignored
    long started = System.nanoTime();
    HttpResponse<Buffer> queryWins =
        get("/api/v1/tasks/" + held + "/?wait=0", Map.of("Prefer", "wait=50"));
    HttpResponse<Buffer> malformed =
        get("/api/v1/tasks/" + held + "/", Map.of("Prefer", "wait=soon"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);
    assertThat(queryWins.bodyAsJsonObject().getString("status")).isEqualTo("processing");
    assertThat(queryWins.getHeader("Preference-Applied")).isNull();
    assertThat(malformed.statusCode()).isEqualTo(200);
    assertThat(malformed.getHeader("Preference-Applied")).isNull();
  }

  @Test
  void badWaitsAreA400ForTheField() {
    long id = service.api().create("ab").getLong("id");
    for (String bad : List.of("nan", "inf", "-inf", "-1", "soon", "", "1e999", "0x10", "1,5")) {
      HttpResponse<Buffer> answer =
          get(
              "/api/v1/tasks/"
                  + id
                  + "/?wait="
                  + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8),
              Map.of());
      assertThat(answer.statusCode()).as("wait=%s", bad).isEqualTo(400);
      assertThat(answer.bodyAsJsonObject())
          .isEqualTo(
              new JsonObject()
                  .put(
                      "wait",
                      new io.vertx.core.json.JsonArray().add("A valid number is required.")));
    }
  }

  @Test
  void waitsParseLikeDrfsFloatFieldAndStopAtSixtySeconds() {
    assertThat(LongPoll.seconds(".5")).isEqualTo(500);
    assertThat(LongPoll.seconds(" 1e1 ")).isEqualTo(10_000);
    assertThat(LongPoll.seconds("1_0")).isEqualTo(10_000);
    assertThat(LongPoll.seconds("+2.25")).isEqualTo(2_250);
    assertThat(LongPoll.seconds("0")).isZero();
    assertThat(LongPoll.seconds("1e-999")).isZero();
    assertThat(LongPoll.seconds("61")).isEqualTo(60_000);
    assertThat(LongPoll.seconds("1e9")).isEqualTo(60_000);
    assertThatThrownBy(() -> LongPoll.seconds("1__0")).isInstanceOf(ApiError.class);
    assertThat(LongPoll.preferredWait("wait=\"7\"")).contains(7L);
    assertThat(LongPoll.preferredWait("handling=lenient, WAIT = 3")).contains(3L);
    assertThat(LongPoll.preferredWait("wait=1.5")).isEmpty();
  }

  @Test
  void aMissingTaskIsA404AtOnce() {
    long started = System.nanoTime();
    HttpResponse<Buffer> answer = get("/api/v1/tasks/424242/?wait=50", Map.of());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.bodyAsJsonObject().getString("detail"))
        .isEqualTo("No Task matches the given query.");
  }

  @Test
  void anUnchangedTaskIsA304AndAChangedOneItsNewState() {
    long id = service.api().create("ab").getLong("id");
    HttpResponse<Buffer> fresh = service.api().get("/api/v1/tasks/" + id + "/");
    String etag = fresh.getHeader("ETag");
    assertThat(etag).startsWith("\"").endsWith("\"");
    HttpResponse<Buffer> changed =
        get("/api/v1/tasks/" + id + "/?wait=50", Map.of("If-None-Match", etag));
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.bodyAsJsonObject().getString("status")).isEqualTo("done");
    String doneTag = changed.getHeader("ETag");
    assertThat(doneTag).isNotEqualTo(etag);
    // a final task does not change any more: the same tag is a 304 at once, also with a wait
    HttpResponse<Buffer> same =
        get("/api/v1/tasks/" + id + "/?wait=50", Map.of("If-None-Match", doneTag));
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.getHeader("ETag")).isEqualTo(doneTag);
    assertThat(same.body()).isNull();
    assertThat(
            get("/api/v1/tasks/" + id + "/", Map.of("If-None-Match", "W/" + doneTag)).statusCode())
        .isEqualTo(304);
    // a wait that runs out on an unchanged task: 304
    long held = heldElsewhere();
    String heldTag = service.api().get("/api/v1/tasks/" + held + "/").getHeader("ETag");
    assertThat(
            get("/api/v1/tasks/" + held + "/?wait=0.2", Map.of("If-None-Match", heldTag))
                .statusCode())
        .isEqualTo(304);
  }

  @Test
  void aClientThatLeavesReleasesItsWaiterAtOnce() throws Exception {
    long held = heldElsewhere();
    HttpClient client = service.node().vertx().createHttpClient();
    try {
      waitInBackground(client, held);
      Await.until("the long poll waits", PROMPT, LongPollTest::longPolls, n -> n == 1);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
    Await.until("the waiter is released", PROMPT, LongPollTest::longPolls, n -> n == 0);
  }

  @Test
  void aClientThatLeavesWhileItsTaskIsStillReadReleasesItsWaiter() throws Exception {
    long held = heldElsewhere();
    HttpClient client = service.node().vertx().createHttpClient();
    try (Connection holder = TestDatabase.connect()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        // the long poll's read of its task waits for this
        s.execute("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE");
      }
      try {
        waitInBackground(client, held);
        Await.until("the long poll waits", PROMPT, LongPollTest::longPolls, n -> n == 1);
      } finally {
        client.close().await(10, TimeUnit.SECONDS);
        holder.rollback();
      }
    }
    Await.until("the waiter is released", PROMPT, LongPollTest::longPolls, n -> n == 0);
  }

  @Test
  void waitingClientsAreNotPendingWork() throws Exception {
    long held = heldElsewhere();
    HttpClient client =
        service
            .node()
            .vertx()
            .createHttpClient(
                new io.vertx.core.http.HttpClientOptions(),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    List<SseClient> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        waitInBackground(client, held);
        streams.add(SseClient.open(client, service.node().port(), "/api/v1/events/"));
      }
      Await.until("ten long polls wait", PROMPT, LongPollTest::longPolls, n -> n == 10);
      // the node admits 4 requests at once; 20 waiting clients leave room for work
      assertThat(
              service.api().postJson("/api/v1/tasks/", "{\"title\":\"still served\"}").statusCode())
          .isEqualTo(201);
      assertThat(service.api().get("/api/v1/tasks/" + held + "/").statusCode()).isEqualTo(200);
    } finally {
      streams.forEach(SseClient::close);
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A resumed stream reads its replay from the database: until that read is over it is pending work
   * like any request, so that a burst of resumes cannot flood the database.
   */
  @Test
  void aResumeIsPendingWorkUntilItsReplayIsRead() throws Exception {
    HttpClient client =
        service
            .node()
            .vertx()
            .createHttpClient(
                new io.vertx.core.http.HttpClientOptions(),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    List<SseClient> streams = new ArrayList<>();
    try (Connection holder = TestDatabase.connect()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        // the replays' reads wait for it
        s.execute("LOCK TABLE task_feed_pruned IN ACCESS EXCLUSIVE MODE");
      }
      // the node admits 4 requests at once
      for (int i = 0; i < 4; i++) {
        streams.add(
            SseClient.open(client, service.node().port(), "/api/v1/events/?last_event_id=1:1:0"));
      }
      HttpResponse<Buffer> refused = service.api().get("/api/v1/tasks/");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isNotNull();
      holder.rollback();
      Await.until(
          "the replays were read",
          PROMPT,
          () -> service.api().get("/api/v1/tasks/").statusCode(),
          status -> status == 200);
    } finally {
      streams.forEach(SseClient::close);
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Starts a minute-long poll on {@code id} and returns at once. */
  private static void waitInBackground(HttpClient client, long id) {
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setPort(service.node().port())
                .setHost("localhost")
                .setURI("/api/v1/tasks/" + id + "/?wait=60"))
        .compose(request -> request.send())
        .onFailure(e -> {});
  }

  private static double longPolls() {
    return OpsTesting.metric(service.api().get("/metrics").bodyAsString(), "tasks_long_polls");
  }
}
