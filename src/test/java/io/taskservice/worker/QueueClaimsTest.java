package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.TitleParityPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Claims per queue: order by priority then due time, the queue's pause and cluster-wide cap read in
 * the claim's own transaction, scheduled tasks never claimed early, takeovers in the sweep only.
 */
class QueueClaimsTest extends PoolTest {
  private static final long LEASE_MS = 30_000;

  private static TaskClaims worker(Pool pool, String name, long graceMs) {
    return new TaskClaims(pool, 5000, name, LEASE_MS, graceMs, new TitleParityPolicy());
  }

  private static TaskClaims worker(String name) {
    return worker(pool, name, 3_600_000);
  }

  private static long count(String where) {
    return TestDatabase.count("SELECT count(*) FROM tasks WHERE " + where);
  }

  @Test
  void lowerPriorityFirstThenEarliestDue() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, priority) SELECT 'low ' || i, 'q', 9"
            + " FROM generate_series(1, 50) AS i");
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue, priority, run_after, due_at)"
            + " VALUES ('late urgent', 'q', 0, now() - interval '1 s', now() - interval '1 s')");
    TestDatabase.execute("INSERT INTO tasks (title, queue, priority) VALUES ('urgent', 'q', 0)");
    TaskClaims.Claimed first = onContext(() -> worker("w").claim("q", 3, false));
    assertThat(first.claimed())
        .extracting(Claim::title)
        .containsExactlyInAnyOrder("late urgent", "urgent", "low 1");
    assertThat(first.claimed()).allMatch(c -> c.reason() == ClaimReason.MESSAGE);
  }

  @Test
  void aQueueIsClaimedOnItsOwn() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue) SELECT 'bulk ' || i, 'bulk'"
            + " FROM generate_series(1, 200) AS i");
    TestDatabase.execute("INSERT INTO tasks (title) VALUES ('small')");
    TaskClaims.Claimed claimed = onContext(() -> worker("w").claim("default", 10, false));
    assertThat(claimed.claimed()).extracting(Claim::title).containsExactly("small");
    assertThat(claimed.claimed()).extracting(Claim::queue).containsOnly("default");
    assertThat(count("queue = 'bulk' AND status = 'new'")).isEqualTo(200);
  }

  @Test
  void scheduledTasksAreNotClaimedBeforeTheirTime() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, run_after, due_at) VALUES"
            + " ('later', now() + interval '1 hour', now() + interval '1 hour'),"
            + " ('past', now() - interval '1 minute', now() - interval '1 minute')");
    TaskClaims.Claimed claimed = onContext(() -> worker("w").claim("default", 10, true));
    assertThat(claimed.claimed()).extracting(Claim::title).containsExactly("past");
    TestDatabase.execute(
        "UPDATE tasks SET run_after = now(), due_at = now() WHERE title = 'later'");
    assertThat(onContext(() -> worker("w").claim("default", 10, false)).claimed())
        .extracting(Claim::title)
        .containsExactly("later");
  }

  @Test
  void aPausedQueueIsClaimedByNobodyNotEvenByTakeover() throws Exception {
    TestDatabase.execute("INSERT INTO queues (name, paused) VALUES ('p', true)");
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue) VALUES ('waiting', 'p');"
            + " INSERT INTO tasks (title, queue, status, claim_token, lease_until)"
            + " VALUES ('stalled', 'p', 'processing', gen_random_uuid(), now() - interval '1 s')");
    TaskClaims.Claimed claimed = onContext(() -> worker(pool, "w", 0).claim("p", 10, true));
    assertThat(claimed.paused()).isTrue();
    assertThat(claimed.claimed()).isEmpty();
    TestDatabase.execute("UPDATE queues SET paused = false");
    assertThat(onContext(() -> worker(pool, "w", 0).claim("p", 10, true)).claimed())
        .extracting(Claim::title, Claim::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("waiting", ClaimReason.NEW_UNCLAIMED),
            org.assertj.core.groups.Tuple.tuple("stalled", ClaimReason.LEASE_EXPIRED));
  }

  @Test
  void onlyTheSweepTakesOverExpiredLeasesAndCountsWaitsPastTheGrace() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, claim_token, lease_until)"
            + " VALUES ('orphan', 'processing', gen_random_uuid(), now() - interval '1 s');"
            + " INSERT INTO tasks (title, created_at, due_at)"
            + " VALUES ('forgotten', now() - interval '1 hour', now() - interval '1 hour')");
    TaskClaims.Claimed wakeUp =
        onContext(() -> worker(pool, "w", 60_000).claim("default", 10, false));
    assertThat(wakeUp.claimed())
        .extracting(Claim::title, Claim::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("forgotten", ClaimReason.MESSAGE));
    TaskClaims.Claimed sweep =
        onContext(() -> worker(pool, "w", 60_000).claim("default", 10, true));
    assertThat(sweep.claimed())
        .extracting(Claim::title, Claim::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("orphan", ClaimReason.LEASE_EXPIRED));
  }

  /**
   * Many claimers of one capped queue at once, on separate pools as separate nodes would be: the
   * queue's processing count never passes its max_running, whatever the interleaving.
   */
  @Test
  void maxRunningHoldsUnderConcurrentClaimsFromManyNodes() throws Exception {
    TestDatabase.execute("INSERT INTO queues (name, max_running) VALUES ('capped', 20)");
    TestDatabase.execute(
        "INSERT INTO tasks (title, queue) SELECT 't' || i, 'capped'"
            + " FROM generate_series(1, 500) AS i");
    List<Pool> pools = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pools.add(Database.pool(vertx, TestDatabase.config(Map.of())));
    }
    try {
      List<TaskClaims> claimers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        claimers.add(worker(pools.get(i % 3), "node-" + i, 3_600_000));
      }
      for (int round = 0; round < 3; round++) {
        List<Future<TaskClaims.Claimed>> claims =
            onContext(
                () -> {
                  List<Future<TaskClaims.Claimed>> all = new ArrayList<>();
                  claimers.forEach(c -> all.add(c.claim("capped", 7, false)));
                  return Future.all(all).map(all);
                });
        int claimed = claims.stream().mapToInt(f -> f.result().claimed().size()).sum();
        assertThat(count("queue = 'capped' AND status = 'processing'")).isEqualTo(20);
        assertThat(claimed).isEqualTo(round == 0 ? 20 : 5);
        // five finish: exactly five more may start
        TestDatabase.execute(
            "UPDATE tasks SET status = 'done', result = 'success' WHERE id IN (SELECT id FROM"
                + " tasks WHERE queue = 'capped' AND status = 'processing' ORDER BY id LIMIT 5)");
      }
    } finally {
      for (Pool p : pools) {
        p.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
