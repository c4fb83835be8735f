package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.taskservice.domain.Claim;
import io.taskservice.domain.Completion;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.worker.TaskClaims;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A cancel racing the worker's completion of the same task: exactly one wins, the loser is told (a
 * 409, or a completion that finds its claim gone), and the history holds exactly one final row.
 */
class CancelRaceTest {
  private static final int TASKS = 200;

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_ROLE", "http"));

  @Test
  void aCancelAndACompletionOfOneTaskNeverBothWin() throws Exception {
    for (int i = 0; i < TASKS; i++) {
      service.api().create(i % 2 == 0 ? "ab" : "abc");
    }
    Pool pool = Database.pool(service.node().vertx(), TestDatabase.config(Map.of()));
    WebClient client = WebClient.create(service.node().vertx());
    Context context = service.node().vertx().getOrCreateContext();
    try {
      TaskClaims worker =
          new TaskClaims(pool, 10_000, "racer", 60_000, 60_000, new TitleParityPolicy());
      List<Claim> claims =
          onContext(context, () -> worker.claim("default", TASKS, false)).claimed();
      assertThat(claims).hasSize(TASKS);

      // each task's cancel and completion a few milliseconds apart, either one first: they meet
      // at the row's lock in every order
      Random random = new Random(17);
      List<Future<Optional<Completion>>> completions = new ArrayList<>();
      List<Future<HttpResponse<Buffer>>> cancels = new ArrayList<>();
      onContext(
          context,
          () -> {
            for (Claim claim : claims) {
              long gapMs = 1 + random.nextInt(20);
              Future<HttpResponse<Buffer>> cancel;
              Future<Optional<Completion>> completion;
              if (claim.taskId() % 10 == 0) {
                // every tenth: the completion comes after the cancel answered, however slow the
                // machine, so that both sides win in every run
                cancel = cancel(client, claim.taskId());
                completion = cancel.transform(answered -> worker.completeProcessing(claim));
              } else if (random.nextBoolean()) {
                cancel = cancel(client, claim.taskId());
                completion =
                    context.owner().timer(gapMs).compose(t -> worker.completeProcessing(claim));
              } else {
                completion = worker.completeProcessing(claim);
                cancel = context.owner().timer(gapMs).compose(t -> cancel(client, claim.taskId()));
              }
              completions.add(completion);
              cancels.add(cancel);
            }
            return Future.join(List.<Future<?>>copyOf(completions))
                .transform(done -> Future.join(List.<Future<?>>copyOf(cancels)));
          });

      Map<Long, String> statuses = rows("SELECT id, status FROM tasks");
      Map<Long, String> finalRows =
          rows(
              "SELECT task_id, count(*)::text FROM task_history"
                  + " WHERE status IN ('done', 'failed', 'cancelled') GROUP BY task_id");
      int cancelled = 0;
      for (int i = 0; i < TASKS; i++) {
        long id = claims.get(i).taskId();
        HttpResponse<Buffer> answer = cancels.get(i).result();
        Optional<Completion> completion = completions.get(i).result();
        String status = statuses.get(id);
        if (answer.statusCode() == 200) {
          cancelled++;
          assertThat(completion).as("task %d: completed after its cancel", id).isEmpty();
          assertThat(status).isEqualTo("cancelled");
          assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
        } else {
          assertThat(answer.statusCode()).as("task %d", id).isEqualTo(409);
          assertThat(completion).as("task %d: neither won", id).isPresent();
          assertThat(status).isEqualTo(completion.get().outcome().status().wire());
        }
        assertThat(finalRows.get(id)).as("task %d: final history rows", id).isEqualTo("1");
      }
      assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'processing'"))
          .isZero();
      LoggerFactory.getLogger(CancelRaceTest.class).info("cancels won {} of {}", cancelled, TASKS);
      // a run where one side always wins would prove little
      assertThat(cancelled).as("cancels that won").isBetween(1, TASKS - 1);
    } finally {
      client.close();
      pool.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static Future<HttpResponse<Buffer>> cancel(WebClient client, long id) {
    return client
        .request(
            HttpMethod.POST, service.node().port(), "localhost", "/api/v1/tasks/" + id + "/cancel/")
        .send();
  }

  /** The first two columns of a query's rows: id, value. */
  private static Map<Long, String> rows(String sql) {
    Map<Long, String> rows = new HashMap<>();
    try (var c = TestDatabase.connect();
        var s = c.createStatement();
        var result = s.executeQuery(sql)) {
      while (result.next()) {
        rows.put(result.getLong(1), result.getString(2));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql, e);
    }
    return rows;
  }

  private static <T> T onContext(Context context, Supplier<Future<T>> call) throws Exception {
    return context
        .<Void>executeBlocking(() -> null)
        .compose(v -> call.get())
        .await(60, TimeUnit.SECONDS);
  }
}
