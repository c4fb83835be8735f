package io.taskservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.cluster.TaskClient;
import io.taskservice.cluster.TaskTable;
import io.taskservice.cluster.TaskTable.Held;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What {@link Node#close()} (SIGTERM) does to a node that serves the API and processes tasks. */
@ExtendWith(VertxExtension.class)
class GracefulStopTest {

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @Test
  void theApiRefusesConnectionsFirstThenHeldTasksFinishOrAreHandedBack(Vertx vertx)
      throws Exception {
    // the work outlasts the grace: some tasks cannot finish and must be handed back
    Node node =
        Node.start(
                TestDatabase.config(
                    Map.of(
                        "TASKS_PROCESSING_DELAY_MS", "1500",
                        "TASKS_SHUTDOWN_GRACE_MS", "1000",
                        "TASKS_LEASE_MS", "30000")))
            .await(30, TimeUnit.SECONDS);
    TaskTable table = new TaskTable(vertx);
    new TaskClient(vertx, node.port()).create(20).await(30, TimeUnit.SECONDS);
    Await.until(vertx, Duration.ofSeconds(10), table::processing, held -> held.size() == 20)
        .await(15, TimeUnit.SECONDS);

    Future<Void> closing = node.close();
    WebClient client = WebClient.create(vertx);
    Await.until(
            vertx,
            Duration.ofSeconds(5),
            () ->
                client
                    .get(node.port(), "127.0.0.1", "/api/v1/tasks/")
                    .send()
                    .map(response -> false)
                    .otherwise(failure -> failure instanceof ConnectException),
            refused -> refused)
        .await(10, TimeUnit.SECONDS);
    assertThat(closing.isComplete()).as("stopped before the API refused connections").isFalse();
    closing.await(30, TimeUnit.SECONDS);

    // nothing keeps a live claim: what did not finish within the grace has its lease ended, so
    // that another worker's next sweep takes it over instead of waiting for the lease
    OffsetDateTime stopped = OffsetDateTime.now();
    List<Held> stillClaimed = table.processing().await(10, TimeUnit.SECONDS);
    assertThat(stillClaimed).allSatisfy(held -> assertThat(held.leaseUntil()).isBefore(stopped));
    assertThat(table.progress().await(10, TimeUnit.SECONDS).wrong()).isZero();
  }
}
