package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /api/v1/tasks/cancel/}: every waiting task (of one queue with {@code ?queue=}) in
 * batches of at most 1,000, each its own transaction; processing and final tasks, and tasks created
 * after it started, are left alone. With tokens on, history names who asked.
 */
class CancelAllTest {
  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  private static HttpResponse<Buffer> cancelAll(String query) {
    return service.api().send(HttpMethod.POST, "/api/v1/tasks/cancel/" + query, Map.of(), null);
  }

  /** {@code n} new tasks of {@code queue}, due now (or in an hour: scheduled). */
  private static void waiting(int n, String queue, boolean scheduled) {
    String runAfter = scheduled ? "now() + interval '1 hour'" : "NULL";
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, run_after, due_at) SELECT 't' || i, '"
            + queue
            + "', "
            + runAfter
            + ", coalesce("
            + runAfter
            + ", now()) FROM generate_series(1, "
            + n
            + ") AS i");
  }

  private static long count(String where) {
    return TestDatabase.count("SELECT count(*) FROM tasks WHERE " + where);
  }

  @Test
  void everyWaitingTaskOfAQueueIsCancelledAndNothingElse() {
    waiting(300, "reports", false);
    waiting(20, "reports", true);
    waiting(50, "default", false);
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, status, claim_token, lease_until) VALUES"
            + " ('p', 'reports', 'processing', gen_random_uuid(), now() + interval '1 hour')");
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, status, result) VALUES ('d', 'reports', 'done',"
            + " 'success'), ('f', 'reports', 'failed', 'error')");

    // the last value wins, as DRF's query_params.get reads it
    HttpResponse<Buffer> answer = cancelAll("?queue=default&queue=reports");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Allow")).isEqualTo("POST, OPTIONS");
    assertThat(answer.bodyAsJsonObject()).isEqualTo(new JsonObject().put("cancelled", 320));
    assertThat(count("queue = 'reports' AND status = 'cancelled'")).isEqualTo(320);
    assertThat(count("queue = 'default' AND status = 'new'")).isEqualTo(50);
    assertThat(count("status = 'processing' AND claim_token IS NOT NULL")).isEqualTo(1);
    assertThat(count("status IN ('done', 'failed')")).isEqualTo(2);
    assertThat(count("status = 'cancelled' AND updated_at > created_at")).isEqualTo(320);
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM task_history WHERE event = 'cancelled' AND status ="
                    + " 'cancelled' AND reason = 'cancel_all' AND by_token IS NULL"))
        .isEqualTo(320);
    assertThat(
            service
                .api()
                .get("/api/v1/tasks/?status=cancelled")
                .bodyAsJsonObject()
                .getLong("count"))
        .isEqualTo(320);
  }

  @Test
  void withoutAQueueEveryWaitingTaskIsCancelledInBatchesOfAtMostAThousand() {
    waiting(1_500, "default", false);
    waiting(700, "reports", false);
    waiting(10, "later", true);
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result) VALUES ('d', 'done', 'success')");
    double before = metric();

    // an empty queue filter is none
    HttpResponse<Buffer> answer = cancelAll("?queue=");

    assertThat(answer.bodyAsJsonObject()).isEqualTo(new JsonObject().put("cancelled", 2_210));
    assertThat(count("status = 'new'")).isZero();
    assertThat(count("status = 'done'")).isEqualTo(1);
    // each batch is a transaction of its own, none larger than 1,000 tasks
    assertThat(
            TestDatabase.count(
                "SELECT count(DISTINCT xid) FROM task_history WHERE reason = 'cancel_all'"))
        .isGreaterThanOrEqualTo(3);
    assertThat(
            TestDatabase.count(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM task_history"
                    + " WHERE reason = 'cancel_all' GROUP BY xid) AS per_transaction"))
        .isLessThanOrEqualTo(1_000);
    assertThat(metric()).isEqualTo(before + 2_210);

    HttpResponse<Buffer> again = cancelAll("");
    assertThat(again.bodyAsJsonObject()).isEqualTo(new JsonObject().put("cancelled", 0));
  }

  @Test
  void tasksCreatedAfterTheStartAreLeftAloneAndLockedOnesSkipped() throws Exception {
    waiting(5, "default", false);
    long maxId = TestDatabase.count("SELECT max(id) FROM tasks");
    waiting(3, "default", false);
    Pool pool = Database.pool(service.node().vertx(), TestDatabase.config(Map.of()));
    try (var conn = TestDatabase.connect()) {
      // another transaction (a claim) holds the first task
      conn.setAutoCommit(false);
      conn.createStatement().execute("SELECT * FROM tasks WHERE id = 1 FOR UPDATE");
      TaskCancels cancels = new TaskCancels(pool, 5_000);
      TaskCancels.Batch batch =
          onContext(() -> cancels.cancelBatch(0, maxId, Optional.empty(), null));
      assertThat(batch.cancelled()).isEqualTo(4);
      assertThat(batch.last()).isEqualTo(maxId);
      conn.rollback();
    } finally {
      pool.close().await(5, TimeUnit.SECONDS);
    }
    assertThat(count("status = 'cancelled'")).isEqualTo(4);
    assertThat(count("status = 'new' AND id > " + maxId)).isEqualTo(3);
    assertThat(count("status = 'new' AND id = 1")).isEqualTo(1);
  }

  @Test
  void withTokensOnTheHistoryNamesWhoCancelled() throws Exception {
    var node = OpsTesting.startNode(Map.of("TASKS_ROLE", "http", "TASKS_API_TOKENS", "token-a"));
    try {
      var api = new io.taskservice.ApiClient(node.vertx(), node.port());
      Map<String, String> auth = Map.of("Authorization", "Bearer token-a");
      waiting(2, "default", false);
      assertThat(api.send(HttpMethod.POST, "/api/v1/tasks/1/cancel/", auth, null).statusCode())
          .isEqualTo(200);
      assertThat(
              api.send(HttpMethod.POST, "/api/v1/tasks/cancel/", auth, null)
                  .bodyAsJsonObject()
                  .getLong("cancelled"))
          .isEqualTo(1);
      String by =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest("token-a".getBytes(StandardCharsets.UTF_8)))
              .substring(0, 8);
      for (long id = 1; id <= 2; id++) {
        var history =
            api.send(HttpMethod.GET, "/api/v1/tasks/" + id + "/history/", auth, null)
                .bodyAsJsonArray();
        // rows inserted by hand have no 'created' entry: the cancel is the only one
        assertThat(history).hasSize(1);
        assertThat(history.getJsonObject(0).getString("by")).isEqualTo(by);
      }
    } finally {
      OpsTesting.stop(node);
    }
  }

  private static double metric() {
    return OpsTesting.metric(
        service.api().get("/metrics").bodyAsString(), "tasks_finished_total{status=\"cancelled\"}");
  }

  private static <T> T onContext(Supplier<Future<T>> call) throws Exception {
    Context context = service.node().vertx().getOrCreateContext();
    return context
        .<Void>executeBlocking(() -> null)
        .compose(v -> call.get())
        .await(20, TimeUnit.SECONDS);
  }
}
