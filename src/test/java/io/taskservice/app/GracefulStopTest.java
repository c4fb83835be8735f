package io.taskservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.changefeed.SseClient;
import io.taskservice.cluster.TaskClient;
import io.taskservice.cluster.TaskTable;
import io.taskservice.cluster.TaskTable.Held;
import io.taskservice.cluster.TaskTable.Progress;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@link Node#close()} (SIGTERM) does to a node that serves the API and processes tasks. The
 * node sweeps once, as it starts, and then only after an hour: the tasks here are claimed through
 * the wake-ups of their queue.
 */
@ExtendWith(VertxExtension.class)
class GracefulStopTest {
  private static final int TASKS = 20;
  private Node node;

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stop() throws Exception {
    // also when a test failed early: a node left running would claim the next tests' tasks
    if (node != null) {
      node.close().await(90, TimeUnit.SECONDS);
    }
  }

  private Node start(String delayMs, String graceMs) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("TASKS_PROCESSING_DELAY_MS", delayMs);
    settings.put("TASKS_SHUTDOWN_GRACE_MS", graceMs);
    settings.put("TASKS_LEASE_MS", "1200000");
    settings.put("TASKS_NEW_GRACE_MS", "3600000");
    settings.put("TASKS_SWEEP_INTERVAL_MS", "3600000");
    node = Node.start(TestDatabase.config(settings)).await(30, TimeUnit.SECONDS);
    // a wake-up published before the worker consumes is lost, and only the sweep would find the
    // task
    node.startup().await(30, TimeUnit.SECONDS);
    return node;
  }

  /** Creates the tasks and waits until the node holds every one of them. */
  private static List<Held> holdTasks(Vertx vertx, Node node, TaskTable table) throws Exception {
    new TaskClient(vertx, node.port()).create(TASKS).await(30, TimeUnit.SECONDS);
    return Await.until(vertx, Duration.ofSeconds(20), table::processing, h -> h.size() == TASKS)
        .await(30, TimeUnit.SECONDS);
  }

  @Test
  void theApiRefusesConnectionsFirstThenTasksThatCannotFinishAreHandedBack(Vertx vertx)
      throws Exception {
    // the work outlasts the grace by far: no held task can finish, every one is handed back
    Node node = start("600000", "2000");
    TaskTable table = new TaskTable(vertx);
    List<Held> held = holdTasks(vertx, node, table);

    Future<Void> closing = node.close();
    WebClient client = WebClient.create(vertx);
    Await.until(
            vertx,
            Duration.ofSeconds(20),
            () ->
                client
                    .get(node.port(), "127.0.0.1", "/api/v1/tasks/")
                    .send()
                    .map(response -> false)
                    .otherwise(failure -> failure instanceof ConnectException),
            refused -> refused)
        .await(30, TimeUnit.SECONDS);
    assertThat(closing.isComplete()).as("stopped before the API refused connections").isFalse();
    closing.await(30, TimeUnit.SECONDS);

    // nothing keeps a live claim: each lease is ended, so that another worker's next sweep takes
    // the task over instead of waiting for the lease
    OffsetDateTime stopped = OffsetDateTime.now();
    List<Held> handedBack = table.processing().await(10, TimeUnit.SECONDS);
    assertThat(handedBack)
        .extracting(Held::id)
        .containsExactlyInAnyOrderElementsOf(held.stream().map(Held::id).toList());
    assertThat(held).allSatisfy(h -> assertThat(h.leaseUntil()).isAfter(stopped));
    assertThat(handedBack).allSatisfy(h -> assertThat(h.leaseUntil()).isBefore(stopped));
  }

  @Test
  void aRequestInFlightWhenTheNodeStopsGetsItsAnswer(Vertx vertx) throws Exception {
    node =
        Node.start(
                TestDatabase.config(
                    Map.of(
                        "TASKS_ROLE", "http",
                        // the request waits for the test's lock, not for a time limit
                        "TASKS_DB_TIMEOUT_MS", "60000",
                        "TASKS_SHUTDOWN_GRACE_MS", "60000")))
            .await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    long id =
        client
            .post(node.port(), "127.0.0.1", "/api/v1/tasks/")
            .sendJsonObject(new JsonObject().put("title", "in flight"))
            .await(10, TimeUnit.SECONDS)
            .bodyAsJsonObject()
            .getLong("id");

    try (Connection lock = TestDatabase.connect()) {
      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE");
      }
      Future<HttpResponse<Buffer>> inFlight =
          client.get(node.port(), "127.0.0.1", "/api/v1/tasks/" + id + "/").send();
      Await.until(
          "the request waits for the table inside the node",
          Duration.ofSeconds(20),
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      + " AND query LIKE '%FROM tasks WHERE id =%'"),
          n -> n >= 1);

      Future<Void> closing = node.close();
      WebClient other = WebClient.create(vertx);
      Await.until(
              vertx,
              Duration.ofSeconds(20),
              () ->
                  other
                      .get(node.port(), "127.0.0.1", "/health/live")
                      .send()
                      .map(response -> false)
                      .otherwise(failure -> failure instanceof ConnectException),
              refused -> refused)
          .await(30, TimeUnit.SECONDS);
      assertThat(inFlight.isComplete()).as("the request in flight ended early").isFalse();
      assertThat(closing.isComplete()).as("stopped before its request was answered").isFalse();

      lock.commit();
      HttpResponse<Buffer> answer = inFlight.await(30, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.bodyAsJsonObject().getLong("id")).isEqualTo(id);
      closing.await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void waitingClientsAreAnsweredAtOnceWhenTheNodeStops(Vertx vertx) throws Exception {
    // a grace and a wait far longer than the await below: the node does not sit them out
    node =
        Node.start(
                TestDatabase.config(
                    Map.of("TASKS_ROLE", "http", "TASKS_SHUTDOWN_GRACE_MS", "120000")))
            .await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, claim_token, claimed_by, lease_until)"
            + " VALUES (9000, 'held', 'processing', gen_random_uuid(), 'elsewhere',"
            + " now() + interval '1 hour')");
    OpsTesting.Client client = new OpsTesting.Client(vertx, node.port());
    Future<HttpResponse<Buffer>> poll =
        WebClient.create(vertx).get(node.port(), "127.0.0.1", "/api/v1/tasks/9000/?wait=60").send();
    SseClient stream = SseClient.open(vertx, node.port(), "/api/v1/events/");
    Await.until(
        "the long poll waits",
        Duration.ofSeconds(20),
        () -> OpsTesting.metric(client.get("/metrics").bodyAsString(), "tasks_long_polls"),
        n -> n == 1.0);

    node.close().await(30, TimeUnit.SECONDS);

    // the long poll is answered as its task stands, the stream ends: its client resumes elsewhere
    HttpResponse<Buffer> answer = poll.await(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("processing");
    assertThat(stream.ended()).isTrue();
    stream.close();
  }

  @Test
  void aLongPollStillReadingItsTaskWhenTheNodeStopsIsAnsweredToo(Vertx vertx) throws Exception {
    node =
        Node.start(
                TestDatabase.config(
                    Map.of(
                        "TASKS_ROLE", "http",
                        "TASKS_DB_TIMEOUT_MS", "60000",
                        "TASKS_SHUTDOWN_GRACE_MS", "120000")))
            .await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, claim_token, claimed_by, lease_until)"
            + " VALUES (9000, 'held', 'processing', gen_random_uuid(), 'elsewhere',"
            + " now() + interval '1 hour')");
    Future<HttpResponse<Buffer>> poll;
    Future<Void> closing;
    try (Connection lock = TestDatabase.connect()) {
      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE");
      }
      poll =
          WebClient.create(vertx)
              .get(node.port(), "127.0.0.1", "/api/v1/tasks/9000/?wait=60")
              .send();
      // the long poll's first read of its task waits for the table when the node starts to stop
      Await.until(
          "the long poll reads its task",
          Duration.ofSeconds(20),
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      + " AND query LIKE '%FROM tasks WHERE id =%'"),
          n -> n >= 1);
      closing = node.close();
      lock.commit();
    }

    closing.await(30, TimeUnit.SECONDS);
    HttpResponse<Buffer> answer = poll.await(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("processing");
  }

  @Test
  void heldTasksFinishWithinTheGraceBeforeTheNodeStops(Vertx vertx) throws Exception {
    // the grace outlasts the work: every held task finishes before the node is gone
    Node node = start("1500", "60000");
    TaskTable table = new TaskTable(vertx);
    holdTasks(vertx, node, table);

    node.close().await(90, TimeUnit.SECONDS);

    Progress after = table.progress().await(10, TimeUnit.SECONDS);
    assertThat(after.allFinished(TASKS)).as("all final when close completed: " + after).isTrue();
    assertThat(after.wrong()).as("tasks with the wrong outcome").isZero();
  }
}
