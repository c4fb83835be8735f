package io.taskservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.cluster.TaskTable.Held;
import io.taskservice.cluster.TaskTable.Progress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes as separate JVMs of the packaged jar, clustered on 127.0.0.1: one {@code http} node and two
 * {@code worker} nodes. A worker is killed or stopped while it holds tasks; every task must still
 * end with the outcome its title decides, and the other worker takes the tasks over without waiting
 * for their lease.
 */
@ExtendWith(VertxExtension.class)
class ClusterProcessIT {
  private static final Logger log = LoggerFactory.getLogger(ClusterProcessIT.class);
  private static final Duration START = Duration.ofSeconds(90);
  private static final int BEFORE = 150;
  private static final int AFTER = 50;

  // the worker's name as it logs it when its consumer starts, and as tasks record their holder
  private static final Pattern WORKER_NAME = Pattern.compile("(node-[0-9a-f]{8}) consuming");

  private final List<NodeProcess> nodes = new ArrayList<>();
  private Map<String, String> cluster;

  @BeforeEach
  void freshClusterAndTable() {
    TestDatabase.reset();
    cluster = LoopbackCluster.settings();
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(NodeProcess::stop);
  }

  @Test
  void aWorkerKilledWithSigkillHasItsTasksTakenOverAsSoonAsItsMemberLeftNotAfterTheLease(
      Vertx vertx) throws Exception {
    // a lease far longer than the test: only the membership takeover can finish the killed
    // worker's tasks before it ends
    Map<String, String> settings =
        Map.of("TASKS_LEASE_MS", "60000", "TASKS_PROCESSING_DELAY_MS", "1000");
    int httpPort = startHttpNode(vertx, "sigkill-http", settings);
    NodeProcess victim = startWorkers(vertx, "sigkill", settings);
    TaskClient client = new TaskClient(vertx, httpPort);
    TaskTable table = new TaskTable(vertx);

    client.create(BEFORE).await(60, TimeUnit.SECONDS);
    long before = client.createUntilHeldBy(2, table).await(30, TimeUnit.SECONDS).total();
    String killed = victim.find(WORKER_NAME);
    victim.kill();
    long killedAt = System.nanoTime();
    victim.exit().await(30, TimeUnit.SECONDS);
    List<Held> heldAtKill = table.processing().await(10, TimeUnit.SECONDS);
    // until the cluster drops the dead member, the http node still sends some ids to it
    client.create(AFTER).await(60, TimeUnit.SECONDS);

    Progress done =
        Await.until(
                vertx, Duration.ofSeconds(45), table::progress, p -> p.allFinished(before + AFTER))
            .await(50, TimeUnit.SECONDS);
    log.info(
        "SIGKILL: {} tasks held at the kill, all {} final {} ms after it",
        heldAtKill.size(),
        before + AFTER,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();

    // from the database's timestamps: every task, the killed worker's too, was finished before
    // its lease would have ended
    Map<String, Set<Boolean>> afterLeaseByHolder =
        table.finishedAfterLeaseByHolder(heldAtKill).await(10, TimeUnit.SECONDS);
    assertThat(afterLeaseByHolder)
        .as("per holder at the kill: finished after the lease expired?")
        .containsEntry(killed, Set.of(false));
    afterLeaseByHolder.values().forEach(afterLease -> assertThat(afterLease).containsOnly(false));

    // the history tells how: each of the killed worker's tasks was handed back because its member
    // left, recovered for that reason, and finished exactly once
    List<Long> killedTasks =
        heldAtKill.stream().filter(h -> h.holder().equals(killed)).map(Held::id).toList();
    assertThat(killedTasks).isNotEmpty();
    Map<Long, Map<String, Long>> history =
        table.historyKinds(killedTasks).await(10, TimeUnit.SECONDS);
    history.forEach(
        (task, kinds) ->
            assertThat(kinds)
                .as("history of task %d", task)
                .containsEntry("handed_back/member_left", 1L)
                .containsEntry("recovered/member_left", 1L)
                .containsEntry("finished", 1L));
  }

  @Test
  void aWorkerStoppedWithSigtermExitsZeroAndItsTasksFinishLongBeforeTheLease(Vertx vertx)
      throws Exception {
    Duration lease = Duration.ofSeconds(30);
    Map<String, String> settings =
        Map.of(
            "TASKS_LEASE_MS", Long.toString(lease.toMillis()), "TASKS_PROCESSING_DELAY_MS", "1500");
    int httpPort = startHttpNode(vertx, "sigterm-http", settings);
    NodeProcess stopping = startWorkers(vertx, "sigterm", settings);
    TaskClient client = new TaskClient(vertx, httpPort);
    TaskTable table = new TaskTable(vertx);

    client.create(BEFORE).await(60, TimeUnit.SECONDS);
    long before = client.createUntilHeldBy(2, table).await(30, TimeUnit.SECONDS).total();
    String stopped = stopping.find(WORKER_NAME);
    List<Held> heldAtStop = table.processing().await(10, TimeUnit.SECONDS);
    stopping.terminate();
    long stoppedAt = System.nanoTime();
    // while it stops, ids sent to it are dropped; the other worker's sweep finds those tasks
    Future<List<Long>> more = client.create(AFTER);

    assertThat(stopping.exit().await(30, TimeUnit.SECONDS)).as("exit code").isZero();
    long exitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
    more.await(60, TimeUnit.SECONDS);
    Progress done =
        Await.until(
                vertx, Duration.ofSeconds(60), table::progress, p -> p.allFinished(before + AFTER))
            .await(70, TimeUnit.SECONDS);
    Duration allFinal = Duration.ofNanos(System.nanoTime() - stoppedAt);
    log.info(
        "SIGTERM: worker exited {} ms after the signal, all {} tasks final after {} ms",
        exitedMs,
        before + AFTER,
        allFinal.toMillis());
    assertThat(done.wrong()).as("tasks with the wrong outcome").isZero();
    // from the database's timestamps: the stopped worker's tasks were finished (by it, or after
    // the hand-back by the other) before their lease would have ended, and no task at all waited
    // for a lease to run out
    Map<String, Set<Boolean>> afterLeaseByHolder =
        table.finishedAfterLeaseByHolder(heldAtStop).await(10, TimeUnit.SECONDS);
    assertThat(afterLeaseByHolder).containsEntry(stopped, Set.of(false));
    assertThat(table.longestToFinish().await(10, TimeUnit.SECONDS)).isLessThan(lease);
  }

  private int startHttpNode(Vertx vertx, String name, Map<String, String> settings)
      throws Exception {
    int port = LoopbackCluster.freePort();
    NodeProcess http = start(name, "http", port, settings);
    http.logged(vertx, "HTTP API on port", START).await(START.toSeconds() + 10, TimeUnit.SECONDS);
    return port;
  }

  /** Starts two worker nodes side by side; returns the first, the one the test will end. */
  private NodeProcess startWorkers(Vertx vertx, String prefix, Map<String, String> settings)
      throws Exception {
    NodeProcess first = start(prefix + "-worker-1", "worker", LoopbackCluster.freePort(), settings);
    NodeProcess second =
        start(prefix + "-worker-2", "worker", LoopbackCluster.freePort(), settings);
    Future.all(
            first.logged(vertx, "Worker started", START),
            second.logged(vertx, "Worker started", START))
        .await(START.toSeconds() + 10, TimeUnit.SECONDS);
    return first;
  }

  private NodeProcess start(String name, String role, int httpPort, Map<String, String> settings)
      throws Exception {
    Map<String, String> env = new HashMap<>(cluster);
    env.put("TASKS_DB_URL", TestDatabase.url());
    env.put("TASKS_ROLE", role);
    env.put("TASKS_HTTP_PORT", Integer.toString(httpPort));
    env.put("TASKS_HTTP_INSTANCES", "1");
    env.put("TASKS_DB_POOL_SIZE", "4");
    env.put("TASKS_LOG_FORMAT", "text");
    env.putAll(settings);
    NodeProcess node = NodeProcess.start(name, env);
    nodes.add(node);
    return node;
  }
}
