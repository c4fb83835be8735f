package io.taskservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.cluster.TaskClient;
import io.taskservice.cluster.TaskTable;
import io.taskservice.cluster.TaskTable.Held;
import io.taskservice.cluster.TaskTable.Progress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
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
 * node's sweep would take a task still {@code new} only after an hour: the tasks here are claimed
 * through their event-bus messages.
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
    node = Node.start(TestDatabase.config(settings)).await(30, TimeUnit.SECONDS);
    // a message sent before the worker consumes is lost, and only the sweep would find the task
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
