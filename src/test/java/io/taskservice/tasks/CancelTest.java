package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.bus.Addresses;
import io.taskservice.changefeed.SseClient;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /api/v1/tasks/{id}/cancel/} on an HTTP-only node (no worker touches the tasks): new
 * and processing tasks are cancelled with their claim cleared and a history row, final ones are a
 * 409, lookups follow the list's filters, other methods are a 405; long polls, the event stream,
 * the list filter and the metric see the cancel.
 */
class CancelTest {
  private static final Duration PROMPT = Duration.ofSeconds(8);

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  private static HttpResponse<Buffer> post(String uri) {
    return service.api().send(HttpMethod.POST, uri, Map.of(), null);
  }

  private static HttpResponse<Buffer> cancel(long id) {
    return post("/api/v1/tasks/" + id + "/cancel/");
  }

  /** A task another worker holds: processing, with a claim token, holder and lease. */
  private static long processing() {
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, claim_token, claimed_by, lease_until)"
            + " VALUES (7000, 'held', 'processing', gen_random_uuid(), 'elsewhere',"
            + " now() + interval '1 hour')");
    return 7000;
  }

  private static JsonArray history(long id) {
    return service.api().get("/api/v1/tasks/" + id + "/history/").bodyAsJsonArray();
  }

  private static double cancelledMetric() {
    return OpsTesting.metric(
        service.api().get("/metrics").bodyAsString(), "tasks_finished_total{status=\"cancelled\"}");
  }

  @Test
  void aNewTaskIsCancelledAndAnsweredWithItsHistoryRecordingTheCancel() {
    JsonObject created = service.api().create("Process report");
    long id = created.getLong("id");
    double before = cancelledMetric();

    HttpResponse<Buffer> answer = cancel(id);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Allow")).isEqualTo("POST, OPTIONS");
    JsonObject task = answer.bodyAsJsonObject();
    assertThat(task.getString("status")).isEqualTo("cancelled");
    assertThat(task.getValue("result")).isNull();
    assertThat(task.containsKey("result")).isTrue();
    assertThat(task.getString("updated_at")).isGreaterThan(created.getString("updated_at"));
    assertThat(task).isEqualTo(service.api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject());

    JsonArray history = history(id);
    assertThat(history).hasSize(2);
    for (Object entry : history) {
      assertThat(((JsonObject) entry).containsKey("by")).as("every entry has by").isTrue();
    }
    JsonObject last = history.getJsonObject(1);
    assertThat(last.getString("event")).isEqualTo("cancelled");
    assertThat(last.getString("status")).isEqualTo("cancelled");
    assertThat(last.getValue("by")).as("tokens are off").isNull();
    assertThat(last.getValue("reason")).isNull();
    assertThat(last.getString("at")).isEqualTo(task.getString("updated_at"));
    assertThat(cancelledMetric()).isEqualTo(before + 1);
  }

  @Test
  void aProcessingTaskLosesItsClaimInTheCancellingStatementAndItsHolderIsTold() throws Exception {
    long id = processing();
    List<Long> told = new CopyOnWriteArrayList<>();
    MessageConsumer<Long> consumer =
        service.node().vertx().eventBus().consumer(Addresses.CANCELLED, m -> told.add(m.body()));
    consumer.completion().await(5, TimeUnit.SECONDS);
    try {
      HttpResponse<Buffer> answer = cancel(id);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
      assertThat(
              TestDatabase.count(
                  "SELECT count(*) FROM tasks WHERE id = "
                      + id
                      + " AND status = 'cancelled' AND claim_token IS NULL AND claimed_by IS NULL"
                      + " AND lease_until IS NULL AND result IS NULL"))
          .isEqualTo(1);
      // the history row and the cleared claim were written by one transaction
      assertThat(
              TestDatabase.count(
                  "SELECT count(*) FROM task_history h JOIN tasks t ON t.id = h.task_id"
                      + " WHERE h.task_id = "
                      + id
                      + " AND h.event = 'cancelled' AND h.xid::text = t.xmin::text"))
          .isEqualTo(1);
      OpsTesting.eventually(service.node().vertx(), PROMPT, () -> told.contains(id));
      assertThat(told).containsExactly(id);
      // a new task has no holder: nobody is told
      long fresh = service.api().create("ab").getLong("id");
      assertThat(cancel(fresh).statusCode()).isEqualTo(200);
      TimeUnit.MILLISECONDS.sleep(300);
      assertThat(told).containsExactly(id);
    } finally {
      consumer.unregister().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFinalTaskIsAConflictAndStaysAsItWas() {
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, result) VALUES (8001, 'ab', 'done', 'success'),"
            + " (8002, 'abc', 'failed', 'error'), (8003, 'x', 'cancelled', NULL)");
    for (long id = 8001; id <= 8003; id++) {
      HttpResponse<Buffer> answer = cancel(id);
      assertThat(answer.statusCode()).isEqualTo(409);
      assertThat(answer.bodyAsString())
          .isEqualTo("{\"detail\":\"Only new or processing tasks can be cancelled.\"}");
      assertThat(answer.getHeader("Retry-After")).isNull();
    }
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE (id, status) IN ((8001, 'done'), (8002,"
                    + " 'failed'), (8003, 'cancelled'))"))
        .isEqualTo(3);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE event = 'cancelled'"))
        .isZero();
  }

  @Test
  void theTaskIsLookedUpThroughTheListFilters() {
    long id = service.api().create("ab").getLong("id");

    HttpResponse<Buffer> unknown = cancel(id + 1000);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "No Task matches the given query."));
    HttpResponse<Buffer> notANumber = post("/api/v1/tasks/abc/cancel/");
    assertThat(notANumber.statusCode()).isEqualTo(404);
    assertThat(notANumber.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Not found."));
    for (String filter : List.of("?status=done", "?queue=reports", "?status=new&queue=other")) {
      HttpResponse<Buffer> mismatch = post("/api/v1/tasks/" + id + "/cancel/" + filter);
      assertThat(mismatch.statusCode()).as(filter).isEqualTo(404);
      assertThat(mismatch.bodyAsJsonObject().getString("detail"))
          .isEqualTo("No Task matches the given query.");
    }
    HttpResponse<Buffer> badStatus = post("/api/v1/tasks/" + id + "/cancel/?status=bogus");
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(badStatus.bodyAsJsonObject().getJsonArray("status").getString(0))
        .isEqualTo("Select a valid choice. bogus is not one of the available choices.");
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'")).isEqualTo(1);

    // matching filters (empty = none, the last value wins) find it
    HttpResponse<Buffer> matching =
        post("/api/v1/tasks/" + id + "/cancel/?status=&queue=other&queue=default");
    assertThat(matching.statusCode()).isEqualTo(200);
  }

  @Test
  void theBodyIsNeverRead() {
    long id = service.api().create("ab").getLong("id");
    HttpResponse<Buffer> answer =
        service
            .api()
            .send(
                HttpMethod.POST,
                "/api/v1/tasks/" + id + "/cancel/",
                Map.of("Content-Type", "application/json"),
                Buffer.buffer("{not json"));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
  }

  @Test
  void otherMethodsThanPostAreNotAllowedOnEitherAction() {
    long id = service.api().create("ab").getLong("id");
    for (String path : List.of("/api/v1/tasks/" + id + "/cancel/", "/api/v1/tasks/cancel/")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE)) {
        HttpResponse<Buffer> answer = service.api().send(method, path, Map.of(), null);
        assertThat(answer.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(answer.getHeader("Allow")).as(path).isEqualTo("POST, OPTIONS");
        assertThat(answer.bodyAsJsonObject())
            .isEqualTo(
                new JsonObject().put("detail", "Method \"" + method.name() + "\" not allowed."));
      }
      HttpResponse<Buffer> options = service.api().send(HttpMethod.OPTIONS, path, Map.of(), null);
      assertThat(options.statusCode()).isEqualTo(200);
      assertThat(options.bodyAsJsonObject().getJsonObject("actions").containsKey("POST")).isTrue();
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'")).isEqualTo(1);
  }

  @Test
  void cancelledTasksAreListedByTheirStatusAndCountedExactly() {
    for (int i = 0; i < 5; i++) {
      long id = service.api().create("task " + i).getLong("id");
      if (i % 2 == 0) {
        assertThat(cancel(id).statusCode()).isEqualTo(200);
      }
    }
    JsonObject cancelled = service.api().get("/api/v1/tasks/?status=cancelled").bodyAsJsonObject();
    assertThat(cancelled.getLong("count")).isEqualTo(3);
    assertThat(cancelled.getJsonArray("results")).hasSize(3);
    assertThat(service.api().get("/api/v1/tasks/?status=new").bodyAsJsonObject().getLong("count"))
        .isEqualTo(2);
    assertThat(
            TestDatabase.count(
                "SELECT coalesce(sum(n), 0) FROM task_counts WHERE status = 'cancelled'"))
        .isEqualTo(3);
  }

  @Test
  void aLongPollOnTheTaskIsAnsweredByTheCancel() throws Exception {
    long id = service.api().create("ab").getLong("id");
    WebClient client = WebClient.create(service.node().vertx());
    try {
      Future<HttpResponse<Buffer>> waiting =
          client
              .get(service.node().port(), "localhost", "/api/v1/tasks/" + id + "/?wait=50")
              .send();
      // the long poll is waiting before the cancel
      OpsTesting.eventually(
          service.node().vertx(),
          PROMPT,
          () ->
              OpsTesting.metric(service.api().get("/metrics").bodyAsString(), "tasks_long_polls")
                  >= 1);
      long started = System.nanoTime();
      assertThat(cancel(id).statusCode()).isEqualTo(200);
      HttpResponse<Buffer> answer = waiting.await(20, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
    } finally {
      client.close();
    }
  }

  @Test
  void theEventStreamCarriesTheCancel() {
    long id = service.api().create("ab").getLong("id");
    try (SseClient stream =
        SseClient.open(service.node().vertx(), service.node().port(), "/api/v1/events/?id=" + id)) {
      assertThat(cancel(id).statusCode()).isEqualTo(200);
      List<SseClient.Event> events =
          stream.awaitEvents(
              "the cancel",
              PROMPT,
              e -> e.stream().anyMatch(x -> x.key().equals(id + ":cancelled")));
      SseClient.Event event =
          events.stream().filter(x -> x.key().equals(id + ":cancelled")).findFirst().orElseThrow();
      assertThat(event.task().getValue("result")).isNull();
    }
    try (SseClient filtered =
        SseClient.open(
            service.node().vertx(), service.node().port(), "/api/v1/events/?status=cancelled")) {
      long other = service.api().create("abc").getLong("id");
      assertThat(cancel(other).statusCode()).isEqualTo(200);
      assertThat(filtered.awaitEvents("the second cancel", PROMPT, e -> !e.isEmpty()).get(0).key())
          .isEqualTo(other + ":cancelled");
    }
  }
}
