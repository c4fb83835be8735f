package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Claims of many queues at once take turns: with a pool of 4 connections one claim is in flight at
 * a time, and every queue woken meanwhile is claimed in its turn, with no sweep to find it later
 * (the sweep is an hour away).
 */
class ClaimTurnsTest {
  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(
          Map.of(
              "TASKS_DB_POOL_SIZE", "4",
              "TASKS_PROCESSING_DELAY_MS", "200",
              "TASKS_SWEEP_INTERVAL_MS", "3600000",
              "TASKS_QUEUES", "*=10000"));

  @Test
  void everyQueueWokenAtOnceIsClaimedInItsTurn() {
    JsonArray tasks = new JsonArray();
    for (int i = 0; i < 24; i++) {
      tasks.add(new JsonObject().put("title", "ab").put("queue", "turn-" + i % 12));
    }
    var created = service.api().postJson("/api/v1/tasks/bulk/", tasks.encode());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    Await.until(
        "every task of the twelve queues final",
        Duration.ofSeconds(30),
        () ->
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE queue LIKE 'turn-%'"
                    + " AND status IN ('done', 'failed')"),
        n -> n == 24);
    assertThat(
            TestDatabase.count(
                "SELECT count(DISTINCT task_id) FROM task_history WHERE event = 'claimed'"
                    + " AND task_id IN (SELECT id FROM tasks WHERE queue LIKE 'turn-%')"))
        .isEqualTo(24);
  }
}
