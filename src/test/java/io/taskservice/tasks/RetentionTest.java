package io.taskservice.tasks;

import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.metric;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TASKS_RETENTION on running nodes: two workers prune one table, counted in the metric. */
@ExtendWith(VertxExtension.class)
class RetentionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private Node first;
  private Node second;

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(first);
    OpsTesting.stop(second);
  }

  private static void stored(int n, String status, String result, String age) {
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result, created_at, updated_at, lease_until)"
            + " SELECT 'old', '"
            + status
            + "', "
            + result
            + ", now(), now() - interval '"
            + age
            + "', now() + interval '1 day' FROM generate_series(1, "
            + n
            + ")");
  }

  // the nodes' workers consume another queue: the unfinished tasks stay as they are, whatever
  // their age, and only retention could remove them
  private static Node retainingNode() {
    return startNode(Map.of("TASKS_RETENTION", "PT1H", "TASKS_QUEUES", "elsewhere"));
  }

  @Test
  void workersOnTwoNodesDeleteExpiredFinishedTasksOnceAndCountThem(Vertx vertx) {
    stored(1200, "done", "'success'", "2 hours");
    stored(300, "failed", "'error'", "90 minutes");
    stored(7, "done", "'success'", "59 minutes");
    stored(3, "new", "NULL", "3 days");
    stored(4, "processing", "NULL", "3 days");

    first = retainingNode();
    second = retainingNode();
    List<Client> clients =
        List.of(new Client(vertx, first.port()), new Client(vertx, second.port()));

    eventually(
        vertx,
        WAIT,
        () ->
            clients.stream()
                    .mapToDouble(
                        c -> metric(c.get("/metrics").bodyAsString(), "tasks_pruned_total"))
                    .sum()
                == 1500.0);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'done'")).isEqualTo(7);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'failed'")).isZero();
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'")).isEqualTo(3);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'processing'"))
        .isEqualTo(4);
  }

  @Test
  void withoutRetentionNothingIsDeleted(Vertx vertx) {
    stored(10, "done", "'success'", "3650 days");
    first = startNode(Map.of());
    Client client = new Client(vertx, first.port());
    String scrape = client.get("/metrics").bodyAsString();
    assertThat(metric(scrape, "tasks_pruned_total")).isZero();
    // the node has folded its counts at least once: it has been running for a while
    eventually(
        vertx,
        WAIT,
        () ->
            metric(client.get("/metrics").bodyAsString(), "tasks_stored{status=\"done\"}") == 10.0);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isEqualTo(10);
  }
}
