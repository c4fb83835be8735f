package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node processing per queue, end to end: each queue within its own in-flight limit, a scheduled
 * task started at its time by the wake-up its create armed (the sweep is an hour away), and a
 * cancel that frees the worker's room at once.
 */
class QueueProcessingTest {
  private static final long DELAY_MS = 4000;

  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(
          Map.of(
              "TASKS_PROCESSING_DELAY_MS", Long.toString(DELAY_MS),
              "TASKS_LEASE_MS", "60000",
              "TASKS_SWEEP_INTERVAL_MS", "3600000",
              "TASKS_QUEUES", "solo=1,*=50"));

  private static ApiClient api() {
    return service.api();
  }

  private static long create(JsonObject body) {
    var response = api().postJson("/api/v1/tasks/", body.encode());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getLong("id");
  }

  private static String status(long id) {
    return api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject().getString("status");
  }

  private static void awaitStatus(long id, String status) {
    Await.until(
        "task " + id + " " + status, Duration.ofSeconds(30), () -> status(id), status::equals);
  }

  /** When the task's 'claimed' history row was written, as the database's time in µs. */
  private static long claimedAtMicros(long id) {
    return TestDatabase.count(
        "SELECT (extract(epoch FROM at) * 1e6)::bigint FROM task_history"
            + " WHERE event = 'claimed' AND task_id = "
            + id);
  }

  @Test
  void aQueueLimitedToOneRunsOneAtATimeWhileOtherQueuesGoOn() {
    long first = create(new JsonObject().put("title", "ab").put("queue", "solo"));
    long second = create(new JsonObject().put("title", "ab").put("queue", "solo"));
    awaitStatus(first, "processing");
    long other = create(new JsonObject().put("title", "ab"));
    awaitStatus(other, "processing");
    // the default queue was claimed while the solo queue's second task waited for room
    assertThat(status(second)).isEqualTo("new");
    awaitStatus(second, "done");
    assertThat(claimedAtMicros(second))
        .isGreaterThanOrEqualTo(
            TestDatabase.count(
                "SELECT (extract(epoch FROM at) * 1e6)::bigint FROM task_history"
                    + " WHERE event = 'finished' AND task_id = "
                    + first));
  }

  @Test
  void aCancelledTaskLeavesTheWorkerAtOnceAndItsRoomGoesToTheNext() {
    long held = create(new JsonObject().put("title", "ab").put("queue", "solo"));
    awaitStatus(held, "processing");
    long waiting = create(new JsonObject().put("title", "ab").put("queue", "solo"));
    var cancelled = api().postJson("/api/v1/tasks/" + held + "/cancel/", "");
    assertThat(cancelled.statusCode()).isEqualTo(200);
    awaitStatus(waiting, "processing");
    // claimed as soon as the cancel was heard, long before the cancelled task's delay was over
    assertThat(claimedAtMicros(waiting) - claimedAtMicros(held)).isLessThan(DELAY_MS * 1000);
    awaitStatus(waiting, "done");
    assertThat(status(held)).isEqualTo("cancelled");
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM task_history WHERE event IN ('finished', 'cancelled')"
                    + " AND task_id = "
                    + held))
        .isEqualTo(1);
  }

  @Test
  void queuesClaimedAtOnceTakeNoMoreThanTheirSharedBucketTogether() {
    JsonArray tasks = new JsonArray();
    for (int i = 0; i < 80; i++) {
      tasks.add(new JsonObject().put("title", "ab").put("queue", "spread-" + i % 16));
    }
    var created = api().postJson("/api/v1/tasks/bulk/", tasks.encode());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    // sixteen queues woken at once, each claiming while the others' claims are in flight
    String mine = " AND task_id IN (SELECT id FROM tasks WHERE queue LIKE 'spread-%')";
    Await.until(
        "a spread task finished",
        Duration.ofSeconds(30),
        () ->
            TestDatabase.count("SELECT count(*) FROM task_history WHERE event = 'finished'" + mine),
        n -> n > 0);
    long claimedBeforeAFinish =
        TestDatabase.count(
            "SELECT count(*) FROM task_history WHERE event = 'claimed'"
                + mine
                + " AND at < (SELECT min(at) FROM task_history WHERE event = 'finished'"
                + mine
                + ")");
    assertThat(claimedBeforeAFinish)
        .as("held at once in the * bucket of 50")
        .isLessThanOrEqualTo(50);
    Await.until(
        "all spread tasks done",
        Duration.ofSeconds(60),
        () ->
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE queue LIKE 'spread-%' AND status = 'done' OR queue LIKE 'spread-%' AND status = 'failed'"),
        n -> n == 80);
  }

  @Test
  void aScheduledTaskStartsAtItsTimeNotBefore() {
    Instant runAfter = Instant.now().plus(2, ChronoUnit.SECONDS);
    long id =
        create(
            new JsonObject()
                .put("title", "ab")
                .put("queue", "later")
                .put("run_after", runAfter.toString()));
    assertThat(status(id)).isEqualTo("new");
    awaitStatus(id, "processing");
    long runAfterMicros =
        TestDatabase.count(
            "SELECT (extract(epoch FROM run_after) * 1e6)::bigint FROM tasks WHERE id = " + id);
    assertThat(claimedAtMicros(id)).isGreaterThanOrEqualTo(runAfterMicros);
    awaitStatus(id, "done");
  }
}
