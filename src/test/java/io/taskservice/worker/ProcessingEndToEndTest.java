package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.taskservice.cluster.TaskClient;
import io.taskservice.cluster.TaskTable;
import io.taskservice.cluster.TaskTable.Progress;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task created over HTTP goes new → processing → done/failed after the delay. The node sweeps
 * once, as it starts, and then only after an hour: every task here that gets processed got there
 * through the wake-up of its queue that {@code POST} publishes.
 */
class ProcessingEndToEndTest {
  private static final long DELAY_MS = 400;
  private static final Map<String, String> WAKE_UPS_ONLY =
      Map.of(
          "TASKS_SWEEP_INTERVAL_MS", "3600000",
          "TASKS_NEW_GRACE_MS", "3600000",
          "TASKS_SHUTDOWN_GRACE_MS", "0");
  @RegisterExtension static final RunningNode service = RunningNode.with(settings(DELAY_MS));

  // a node is used once it consumes: a wake-up published before that is lost, and only the sweep
  // would find the task
  private static Map<String, String> settings(long delayMs) {
    Map<String, String> settings = new HashMap<>(WAKE_UPS_ONLY);
    settings.put("TASKS_PROCESSING_DELAY_MS", Long.toString(delayMs));
    settings.put("TASKS_LEASE_MS", Long.toString(Math.max(30_000, 2 * delayMs)));
    return settings;
  }

  private static JsonObject fetch(ApiClient client, long id) {
    return client.get("/api/v1/tasks/" + id + "/").bodyAsJsonObject();
  }

  /** The task once it has its final status. */
  private static JsonObject awaitFinal(long id) {
    return Await.until(
        "task " + id + " is final",
        Duration.ofSeconds(20),
        () -> fetch(service.api(), id),
        t -> t.getValue("result") != null);
  }

  private static double recoveredNew(ApiClient client) {
    return OpsTesting.metric(
        client.get("/metrics").bodyAsString(), "tasks_recovered_total{reason=\"new_unclaimed\"}");
  }

  @Test
  void aCreatedTaskIsClaimedAtOnceAndHeldThroughItsDelay() throws Exception {
    // a delay no test waits for: "processing" is a state that holds, not a moment to catch
    Node slow = TestNodes.started(settings(600_000));
    try {
      ApiClient client = new ApiClient(slow.vertx(), slow.port());
      long id = client.create("Process report").getLong("id");
      JsonObject processing =
          Await.until(
              "the task is claimed",
              Duration.ofSeconds(20),
              () -> fetch(client, id),
              t -> !t.getString("status").equals("new"));
      assertThat(processing.getString("status")).isEqualTo("processing");
      assertThat(processing.getValue("result")).isNull();
      assertThat(recoveredNew(client)).as("claimed through the sweep").isZero();
    } finally {
      slow.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void anEvenTitleEndsDoneAndAnOddOneFailed() {
    long even = service.api().create("Process report").getLong("id");
    long odd = service.api().create("Process").getLong("id");

    JsonObject done = awaitFinal(even);
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getString("result")).isEqualTo("success");
    JsonObject failed = awaitFinal(odd);
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("result")).isEqualTo("error");
  }

  @Test
  void theDelayIsWaitedBeforeTheOutcome() {
    JsonObject created = service.api().create("Process report");
    JsonObject done = awaitFinal(created.getLong("id"));
    Instant start = Instant.parse(created.getString("created_at"));
    Instant end = Instant.parse(done.getString("updated_at"));
    assertThat(Duration.between(start, end)).isGreaterThanOrEqualTo(Duration.ofMillis(DELAY_MS));
  }

  @Test
  void aBurstOfTasksIsHeldTogetherAndAllFinishAfterOneDelay() throws Exception {
    TaskTable table = new TaskTable(service.node().vertx());
    double recoveredBefore = recoveredNew(service.api());
    List<Long> ids =
        new TaskClient(service.node().vertx(), service.node().port())
            .create(300)
            .await(60, TimeUnit.SECONDS);
    Progress done =
        Await.until(
                service.node().vertx(),
                Duration.ofSeconds(60),
                table::progress,
                p -> p.allFinished(300))
            .await(70, TimeUnit.SECONDS);
    assertThat(ids).hasSize(300);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
    assertThat(recoveredNew(service.api()))
        .as("claimed through the sweep")
        .isEqualTo(recoveredBefore);

    // from the database's own timestamps: no task finished before its delay had passed, and the
    // tasks were held side by side — one after another, 300 delays would have passed (2 minutes);
    // a quarter of that is the one generous bound
    long shortestMs =
        TestDatabase.count(
            "SELECT floor(extract(epoch FROM min(updated_at - created_at)) * 1000) FROM tasks");
    long spanMs =
        TestDatabase.count(
            "SELECT ceil(extract(epoch FROM max(updated_at) - min(created_at)) * 1000) FROM tasks");
    assertThat(shortestMs).isGreaterThanOrEqualTo(DELAY_MS);
    assertThat(spanMs).isLessThan(300 * DELAY_MS / 4);
  }

  @Test
  void aTaskWhoseWakeUpWasLostIsClaimedByTheSweepAndCountedAsRecoveredOnlyPastTheGrace()
      throws Exception {
    Map<String, String> sweeping = new HashMap<>(settings(DELAY_MS));
    sweeping.put("TASKS_SWEEP_INTERVAL_MS", "200");
    Node node = TestNodes.started(sweeping);
    try {
      ApiClient client = new ApiClient(node.vertx(), node.port());
      double recoveredBefore = recoveredNew(client);
      // rows inserted behind the service's back: no wake-up was ever published for them, only
      // the sweep can find them. One is due since two hours (past the grace of an hour), the
      // other since now.
      TestDatabase.execute(
          "INSERT INTO tasks (title, created_at, due_at)"
              + " VALUES ('lost wake-up', now() - interval '2 hours', now() - interval '2 hours')");
      long lost = TestDatabase.count("SELECT max(id) FROM tasks");
      TestDatabase.execute("INSERT INTO tasks (title) VALUES ('lost just then')");
      long fresh = TestDatabase.count("SELECT max(id) FROM tasks");
      for (long id : new long[] {lost, fresh}) {
        JsonObject done =
            Await.until(
                "task " + id + " is final",
                Duration.ofSeconds(20),
                () -> fetch(client, id),
                t -> t.getValue("result") != null);
        assertThat(done.getString("status")).as("task %d", id).isEqualTo("done");
      }
      assertThat(recoveredNew(client)).isEqualTo(recoveredBefore + 1);
    } finally {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }
}
