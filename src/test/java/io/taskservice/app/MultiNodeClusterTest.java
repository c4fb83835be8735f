package io.taskservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.taskservice.Await;
import io.taskservice.TestDatabase;
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
import java.util.stream.Collectors;
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
    // the workers' sweeps take a task still new only after an hour: what they hold, they got as
    // event-bus messages from the http node
    Map<String, String> busOnly = Map.of("TASKS_NEW_GRACE_MS", "3600000");
    Node first = startWorker(busOnly);
    Node second = startWorker(busOnly);
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
  void aWorkerCutOffFromTheDatabaseButStillAMemberHasItsTasksTakenOverOnceTheirLeaseExpires(
      Vertx vertx) throws Exception {
    Map<String, String> shortLease =
        Map.of(
            "TASKS_LEASE_MS", "3000",
            "TASKS_SWEEP_INTERVAL_MS", "250",
            "TASKS_SHUTDOWN_GRACE_MS", "0");
    TaskTable table = new TaskTable(vertx);
    TaskClient tasks = new TaskClient(vertx, http.port());
    startWorker(shortLease);
    String survivor = onlyHolder(tasks.createUntilHeldBy(1, table).await(30, TimeUnit.SECONDS));
    Set<HazelcastInstance> before = Set.copyOf(Hazelcast.getAllHazelcastInstances());
    Node victim = startWorker(shortLease);
    HazelcastInstance victimMember = newMember(before);

    long total = createUntilBothWorkersHoldTasks(vertx, table).total();
    // its heartbeat stops, but its member stays in the cluster: nobody hands its claims back
    cutOffDatabase(victim);
    List<Held> heldAtCrash = table.processing().await(10, TimeUnit.SECONDS);
    String crashed = otherHolder(heldAtCrash, survivor);

    Progress done =
        Await.until(vertx, Duration.ofSeconds(30), table::progress, p -> p.allFinished(total))
            .await(40, TimeUnit.SECONDS);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();

    // The crashed worker's tasks were finished only after their lease ran out (that is when the
    // survivor's sweep may take them over), all of them; the survivor finished its own within.
    Map<String, Set<Boolean>> afterLeaseByHolder =
        table.finishedAfterLeaseByHolder(heldAtCrash).await(10, TimeUnit.SECONDS);
    assertThat(afterLeaseByHolder)
        .as("per holder at the crash: finished after the lease expired?")
        .containsEntry(crashed, Set.of(true));
    if (afterLeaseByHolder.containsKey(survivor)) {
      assertThat(afterLeaseByHolder).containsEntry(survivor, Set.of(false));
    }
    vanishFromCluster(victim, victimMember).await(30, TimeUnit.SECONDS);
  }

  @Test
  void aWorkerWhoseMemberLeftButThatStillBeatsInTheDatabaseKeepsAndFinishesItsTasks(Vertx vertx)
      throws Exception {
    // the lease outlasts the test: only a hand-back could let the other worker take tasks over
    Map<String, String> settings =
        Map.of(
            "TASKS_PROCESSING_DELAY_MS", "2000",
            "TASKS_LEASE_MS", "60000",
            "TASKS_SWEEP_INTERVAL_MS", "250");
    TaskTable table = new TaskTable(vertx);
    TaskClient tasks = new TaskClient(vertx, http.port());
    // the first worker is the oldest worker member: the one that acts when a member leaves
    startWorker(settings);
    String staying = onlyHolder(tasks.createUntilHeldBy(1, table).await(30, TimeUnit.SECONDS));
    Set<HazelcastInstance> before = Set.copyOf(Hazelcast.getAllHazelcastInstances());
    Node cutOff = startWorker(settings);
    HazelcastInstance cutOffMember = newMember(before);

    // it runs on after its member is gone: whatever happens below, it must not outlive the test
    // (it would go on claiming the next tests' tasks)
    try {
      long total = createUntilBothWorkersHoldTasks(vertx, table).total();
      List<Held> heldAtCut = table.processing().await(10, TimeUnit.SECONDS);
      String partitioned = otherHolder(heldAtCut, staying);
      // its member leaves the cluster; its worker runs on and reaches the database
      workers.remove(cutOff);
      cutOffMember.getLifecycleService().terminate();

      Progress done =
          Await.until(vertx, Duration.ofSeconds(30), table::progress, p -> p.allFinished(total))
              .await(40, TimeUnit.SECONDS);
      assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
      List<Long> itsTasks =
          heldAtCut.stream().filter(h -> h.holder().equals(partitioned)).map(Held::id).toList();
      table
          .historyKinds(itsTasks)
          .await(10, TimeUnit.SECONDS)
          .forEach(
              (task, kinds) ->
                  assertThat(kinds)
                      .as("history of task %d", task)
                      .doesNotContainKeys("handed_back/member_left", "recovered/member_left")
                      .containsEntry("finished", 1L));
      // of the tasks it held at the cut (it may claim more afterwards: it still reaches the
      // database and sweeps)
      assertThat(
              TestDatabase.count(
                  "SELECT count(*) FROM task_history WHERE event = 'finished' AND worker = '"
                      + partitioned
                      + "' AND task_id IN ("
                      + itsTasks.stream().map(String::valueOf).collect(Collectors.joining(", "))
                      + ")"))
          .as("finished by the worker that held them")
          .isEqualTo(itsTasks.size());
    } finally {
      cutOff.close().otherwiseEmpty().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStoppingWorkerHandsBackWhatItCannotFinishAndTheOtherTakesItOverAtOnce(Vertx vertx)
      throws Exception {
    // the work takes far longer than the stopping worker's grace, and the lease is long: only the
    // hand-back lets the other worker finish those tasks before their lease would have ended
    Map<String, String> settings =
        Map.of(
            "TASKS_PROCESSING_DELAY_MS", "4000",
            "TASKS_LEASE_MS", "30000",
            "TASKS_SHUTDOWN_GRACE_MS", "200",
            "TASKS_SWEEP_INTERVAL_MS", "250");
    TaskTable table = new TaskTable(vertx);
    TaskClient tasks = new TaskClient(vertx, http.port());
    startWorker(settings);
    String staying = onlyHolder(tasks.createUntilHeldBy(1, table).await(30, TimeUnit.SECONDS));
    Node stopping = startWorker(settings);

    long total = createUntilBothWorkersHoldTasks(vertx, table).total();
    List<Held> heldAtStop = table.processing().await(10, TimeUnit.SECONDS);
    String stopped = otherHolder(heldAtStop, staying);
    workers.remove(stopping);
    stopping.close().await(30, TimeUnit.SECONDS);

    // long enough for the leases to run out: without the hand-back the test fails on the
    // timestamps below, not on this wait
    Progress done =
        Await.until(vertx, Duration.ofSeconds(60), table::progress, p -> p.allFinished(total))
            .await(70, TimeUnit.SECONDS);
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
    Map<String, Set<Boolean>> afterLeaseByHolder =
        table.finishedAfterLeaseByHolder(heldAtStop).await(10, TimeUnit.SECONDS);
    assertThat(afterLeaseByHolder.get(stopped))
        .as("the stopped worker's tasks: finished after their lease expired?")
        .isEqualTo(Set.of(false));
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

  /** The one worker holding tasks in {@code progress}. */
  private static String onlyHolder(Progress progress) {
    assertThat(progress.holders()).hasSize(1);
    return progress.holders().iterator().next();
  }

  /** The holder of {@code held} that is not {@code known}: the worker started second. */
  private static String otherHolder(List<Held> held, String known) {
    Set<String> others = new HashSet<>();
    held.forEach(h -> others.add(h.holder()));
    others.remove(known);
    assertThat(others).as("holders besides " + known).hasSize(1);
    return others.iterator().next();
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
