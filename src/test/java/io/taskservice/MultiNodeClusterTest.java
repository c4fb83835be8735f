package io.taskservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.taskservice.cluster.LoopbackCluster;
import io.taskservice.cluster.TaskClient;
import io.taskservice.cluster.TaskTable;
import io.taskservice.cluster.TaskTable.Held;
import io.taskservice.cluster.TaskTable.Progress;
import io.taskservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several clustered nodes in one JVM, on loopback: an {@code http} node and {@code worker} nodes,
 * each its own Vert.x instance and Hazelcast member, meeting only over the clustered event bus and
 * the database.
 */
@ExtendWith(VertxExtension.class)
class MultiNodeClusterTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static Map<String, String> cluster;
  private static Node http;

  private final List<Node> workers = new ArrayList<>();

  @BeforeAll
  static void startHttpNode() throws TimeoutException {
    cluster = LoopbackCluster.settings();
    http = Node.start(config("http", Map.of())).await(START.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopHttpNode() throws TimeoutException {
    if (http != null) {
      http.close().await(30, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stopWorkers() throws TimeoutException {
    for (Node worker : workers) {
      worker.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tasksCreatedOnTheHttpNodeAreProcessedByBothWorkerNodes(Vertx vertx) throws Exception {
    Node first = startWorker(Map.of());
    Node second = startWorker(Map.of());
    assertThat(http.port()).as("the http node serves the API").isPositive();
    WebClient client = WebClient.create(vertx);
    for (Node worker : List.of(first, second)) {
      assertThat(
              client
                  .get(worker.port(), "localhost", "/api/v1/tasks/")
                  .send()
                  .await(10, TimeUnit.SECONDS)
                  .statusCode())
          .as("a worker node serves no API, only health and metrics")
          .isEqualTo(404);
      assertThat(
              client
                  .get(worker.port(), "localhost", "/health/live")
                  .send()
                  .await(10, TimeUnit.SECONDS)
                  .statusCode())
          .isEqualTo(200);
    }

    TaskTable table = new TaskTable(vertx);
    Set<String> holders = new HashSet<>();
    Progress spread = createUntilBothWorkersHoldTasks(vertx, table);
    holders.addAll(spread.holders());
    long total = spread.total();
    Progress done =
        Await.until(
                vertx,
                Duration.ofSeconds(30),
                table::progress,
                p -> {
                  holders.addAll(p.holders());
                  return p.allFinished(total);
                })
            .await(40, TimeUnit.SECONDS);

    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
    // exactly the two worker nodes processed: both got work, the http node none
    assertThat(holders).hasSize(2);
  }

  @Test
  void aCrashedWorkersTasksAreFinishedByTheOtherOnceTheirLeaseExpires(Vertx vertx)
      throws Exception {
    Map<String, String> shortLease =
        Map.of(
            "TASKS_LEASE_MS", "3000",
            "TASKS_SWEEP_INTERVAL_MS", "250",
            "TASKS_SHUTDOWN_GRACE_MS", "0");
    startWorker(shortLease);
    Set<HazelcastInstance> before = Set.copyOf(Hazelcast.getAllHazelcastInstances());
    Node victim = startWorker(shortLease);
    HazelcastInstance victimMember = newMember(before);

    TaskTable table = new TaskTable(vertx);
    long total = createUntilBothWorkersHoldTasks(vertx, table).total();
    cutOffDatabase(victim);
    List<Held> heldAtCrash = table.processing().await(10, TimeUnit.SECONDS);
    Future<Void> gone = vanishFromCluster(victim, victimMember);

    Progress done =
        Await.until(vertx, Duration.ofSeconds(30), table::progress, p -> p.allFinished(total))
            .await(40, TimeUnit.SECONDS);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();

    // A live holder finishes its tasks within their lease. The victim's tasks were finished only
    // after theirs ran out (that is when the survivor's sweep may take them over), all of them.
    Map<String, Set<Boolean>> afterLeaseByHolder =
        table.finishedAfterLeaseByHolder(heldAtCrash).await(10, TimeUnit.SECONDS);
    assertThat(afterLeaseByHolder.values())
        .as("per holder at the crash: finished after the lease expired?")
        .contains(Set.of(true))
        .allSatisfy(afterLease -> assertThat(afterLease).hasSize(1));
    gone.await(30, TimeUnit.SECONDS);
  }

  @Test
  void aStoppingWorkerHandsBackWhatItCannotFinishAndTheOtherTakesItOverAtOnce(Vertx vertx)
      throws Exception {
    // the work takes longer than the stopping worker's grace, and the lease is long: only the
    // hand-back lets the other worker finish those tasks soon
    Map<String, String> settings =
        Map.of(
            "TASKS_PROCESSING_DELAY_MS", "1500",
            "TASKS_LEASE_MS", "30000",
            "TASKS_SHUTDOWN_GRACE_MS", "1000",
            "TASKS_SWEEP_INTERVAL_MS", "250");
    startWorker(settings);
    Node stopping = startWorker(settings);

    TaskTable table = new TaskTable(vertx);
    long total = createUntilBothWorkersHoldTasks(vertx, table).total();
    long stopAt = System.nanoTime();
    workers.remove(stopping);
    stopping.close().await(30, TimeUnit.SECONDS);

    Progress done =
        Await.until(vertx, Duration.ofSeconds(10), table::progress, p -> p.allFinished(total))
            .await(15, TimeUnit.SECONDS);
    Duration tookOver = Duration.ofNanos(System.nanoTime() - stopAt);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
    assertThat(tookOver).as("all finished after the stop").isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void tasksCreatedWhileNoWorkerRunsAreFinishedOnceOneStarts(Vertx vertx) throws Exception {
    TaskTable table = new TaskTable(vertx);
    new TaskClient(vertx, http.port()).create(30).await(30, TimeUnit.SECONDS);
    assertThat(table.progress().await(10, TimeUnit.SECONDS).unfinished()).isEqualTo(30);

    startWorker(Map.of("TASKS_SWEEP_INTERVAL_MS", "250"));

    Progress done =
        Await.until(vertx, Duration.ofSeconds(20), table::progress, p -> p.allFinished(30))
            .await(30, TimeUnit.SECONDS);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
  }

  private static Progress createUntilBothWorkersHoldTasks(Vertx vertx, TaskTable table)
      throws TimeoutException {
    return new TaskClient(vertx, http.port())
        .createUntilHeldBy(2, table)
        .await(30, TimeUnit.SECONDS);
  }

  private Node startWorker(Map<String, String> overrides) throws TimeoutException {
    Node worker =
        Node.start(config("worker", overrides)).await(START.toSeconds(), TimeUnit.SECONDS);
    workers.add(worker);
    return worker;
  }

  private static AppConfig config(String role, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(cluster);
    env.put("TASKS_ROLE", role);
    env.put("TASKS_DB_POOL_SIZE", "4");
    env.put("TASKS_PROCESSING_DELAY_MS", "500");
    env.putAll(overrides);
    return TestDatabase.config(env);
  }

  private static HazelcastInstance newMember(Set<HazelcastInstance> before) {
    Set<HazelcastInstance> now = new HashSet<>(Hazelcast.getAllHazelcastInstances());
    now.removeAll(before);
    assertThat(now).hasSize(1);
    return now.iterator().next();
  }

  /**
   * The first half of a crash: the node's database connections go, so nothing it holds is finished
   * or handed back from now on.
   */
  private void cutOffDatabase(Node node) throws TimeoutException {
    workers.remove(node);
    node.pool().close().await(10, TimeUnit.SECONDS);
  }

  /**
   * The second half: its cluster member goes without a goodbye. The returned future completes when
   * the node's threads are released; whatever fails in there now is part of the crash.
   */
  private static Future<Void> vanishFromCluster(Node node, HazelcastInstance member) {
    member.getLifecycleService().terminate();
    return node.vertx().close().otherwiseEmpty();
  }
}
