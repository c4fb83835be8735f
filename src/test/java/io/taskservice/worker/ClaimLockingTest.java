package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.taskservice.db.PoolTest;
import io.taskservice.db.StoreUnavailableException;
import io.taskservice.domain.Claim;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.ops.LogCapture;
import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How the worker's statements lock rows and how long they may hold them: id order everywhere,
 * deadlocks with other writers retried, the server's own time limits, leases counted from the
 * claim.
 */
class ClaimLockingTest extends PoolTest {
  private static final long LEASE_MS = 30_000;
  private static final long GRACE_MS = 60_000;
  private static final String WAITING_FOR_A_LOCK =
      "SELECT count(*) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND wait_event_type = 'Lock'";

  private static TaskClaims worker(String name) {
    return new TaskClaims(pool, 5000, name, LEASE_MS, GRACE_MS, new TitleParityPolicy());
  }

  private static <T> T await(Supplier<Future<T>> call) throws Exception {
    return onContext(call);
  }

  private static void newTasks(int n) {
    TestDatabase.execute(
        "INSERT INTO tasks (title) SELECT 'task ' || i FROM generate_series(1, " + n + ") AS i");
  }

  /** A transaction of the test's own, holding row locks as hand-typed SQL would. */
  private static final class Blocker implements AutoCloseable {
    private final SqlConnection conn;
    private final Transaction tx;

    Blocker() throws Exception {
      conn = await(() -> pool.getConnection());
      tx = await(conn::begin);
    }

    /** This transaction never runs PostgreSQL's deadlock check first: the other side is aborted. */
    Future<Void> waitLongBeforeDeadlockCheck() {
      return conn.query("SET LOCAL deadlock_timeout = '60s'").execute().mapEmpty();
    }

    /** The queue's lock, exclusive: as a change of the queue's settings holds it. */
    Future<Void> lockQueue(String queue) {
      return conn.preparedQuery(TaskClaims.LOCK_EXCLUSIVE).execute(Tuple.of(queue)).mapEmpty();
    }

    Future<Void> lock(long... ids) {
      Long[] boxed = java.util.Arrays.stream(ids).boxed().toArray(Long[]::new);
      return conn.preparedQuery("SELECT id FROM tasks WHERE id = ANY($1) ORDER BY id FOR UPDATE")
          .execute(Tuple.of((Object) boxed))
          .mapEmpty();
    }

    OffsetDateTime commitAt() throws Exception {
      OffsetDateTime at =
          await(() -> conn.query("SELECT clock_timestamp() AS at").execute())
              .iterator()
              .next()
              .getOffsetDateTime("at");
      await(tx::commit);
      return at;
    }

    @Override
    public void close() throws Exception {
      await(conn::close);
    }
  }

  private static void awaitLockWaiters(long n, String condition) {
    Await.until(
        n + " statements waiting for a lock",
        Duration.ofSeconds(10),
        () -> TestDatabase.count(WAITING_FOR_A_LOCK + condition),
        count -> count == n);
  }

  @Test
  void handBacksLockTheirRowsInIdOrder() throws Exception {
    newTasks(3);
    TaskClaims holder = worker("holder");
    List<Claim> held = await(() -> Claiming.sweep(holder, 10));
    assertThat(held).hasSize(3);
    assertLocksInIdOrder(() -> holder.release(held));

    // the same for what a claim that committed after its call failed took: such a claim waits
    // for the table, its call gives up, and it commits once the table is free
    TestDatabase.reset();
    newTasks(3);
    TaskClaims impatient =
        new TaskClaims(pool, 300, "impatient", LEASE_MS, GRACE_MS, new TitleParityPolicy());
    try (Blocker table = new Blocker()) {
      await(() -> pool.query("SELECT 1").execute()); // the pool is warm
      await(() -> tableLock(table));
      assertThatThrownBy(() -> await(() -> Claiming.sweep(impatient, 10)))
          .hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class);
      table.commitAt();
    }
    Await.until(
        "the late claim committed",
        Duration.ofSeconds(10),
        () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'processing'"),
        n -> n == 3);
    assertLocksInIdOrder(impatient::releaseUncertain);
  }

  private static Future<Void> tableLock(Blocker table) {
    return table.conn.query("LOCK TABLE tasks IN EXCLUSIVE MODE").execute().mapEmpty();
  }

  /**
   * Holds task 1 and starts {@code handBack} of tasks 1 to 3: locking in id order, it waits at task
   * 1 holding nothing, so tasks 2 and 3 stay free for others.
   */
  private static void assertLocksInIdOrder(Supplier<Future<Integer>> handBack) throws Exception {
    Future<Integer> released;
    try (Blocker first = new Blocker()) {
      await(() -> first.lock(1));
      released = begin(handBack);
      awaitLockWaiters(1, "");
      try (Blocker others = new Blocker()) {
        Future<Void> rest =
            others
                .conn
                .query("SELECT id FROM tasks WHERE id IN (2, 3) ORDER BY id FOR UPDATE NOWAIT")
                .execute()
                .mapEmpty();
        assertThat(rest.await(10, TimeUnit.SECONDS))
            .as("tasks 2 and 3 are free while the hand-back waits for task 1")
            .isNull();
      }
      first.commitAt();
    }
    assertThat(released.await(10, TimeUnit.SECONDS)).isEqualTo(3);
  }

  @Test
  void aHandBackThatADeadlockAbortedRunsAgain() throws Exception {
    newTasks(2);
    TaskClaims holder = worker("holder");
    List<Claim> held = await(() -> Claiming.sweep(holder, 10));
    try (LogCapture log = new LogCapture();
        Blocker other = new Blocker()) {
      // hand-typed SQL locking in the other order: task 2, then task 1
      await(other::waitLongBeforeDeadlockCheck);
      await(() -> other.lock(2));
      Future<Integer> released = begin(() -> holder.release(held));
      // the hand-back holds task 1 and waits for task 2; the other transaction checks for a
      // deadlock only after a minute, so PostgreSQL's check runs in the hand-back and aborts it
      awaitLockWaiters(1, "");
      Future<Void> crossing = other.lock(1);
      assertThat(crossing.await(10, TimeUnit.SECONDS)).isNull();
      other.commitAt();
      assertThat(released.await(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(log.lines()).anyMatch(line -> line.contains("hand-back transaction aborted"));
    }
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE status = 'processing' AND lease_until <= now()"))
        .isEqualTo(2);
  }

  @Test
  void aStatementWhoseCallGaveUpIsStoppedByTheServer() throws Exception {
    newTasks(1);
    // a pool of its own (the service's pool is shared by name within a Vert.x instance)
    Pool impatientPool =
        PgBuilder.pool()
            .connectingTo(
                Database.connectOptions(TestDatabase.config(Map.of("TASKS_DB_TIMEOUT_MS", "500"))))
            .using(vertx)
            .build();
    TaskClaims impatient =
        new TaskClaims(
            impatientPool, 500, "impatient", LEASE_MS, GRACE_MS, new TitleParityPolicy());
    try (Blocker holder = new Blocker()) {
      await(() -> holder.lockQueue(Claiming.DEFAULT));
      assertThatThrownBy(() -> await(() -> Claiming.next(impatient)))
          .isInstanceOf(StoreUnavailableException.class);
      // the lock stays held, yet the claim no longer waits for it: it was stopped and rolled
      // back, so it can neither hold a connection nor claim the task later
      awaitLockWaiters(0, "");
      holder.commitAt();
    } finally {
      await(impatientPool::close);
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'")).isEqualTo(1);
  }

  @Test
  void aLeaseCountsFromTheClaimNotFromTheStartOfItsTransaction() throws Exception {
    newTasks(1);
    TaskClaims claimer = worker("claimer");
    Future<Optional<Claim>> claim;
    OffsetDateTime freed;
    try (Blocker holder = new Blocker()) {
      await(() -> holder.lockQueue(Claiming.DEFAULT));
      claim = begin(() -> Claiming.next(claimer));
      // the claim's transaction has waited a measurable while for the queue's lock
      awaitLockWaiters(1, " AND clock_timestamp() - xact_start > interval '1 second'");
      freed = holder.commitAt();
    }
    assertThat(claim.await(10, TimeUnit.SECONDS)).isPresent();
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE lease_until >= '"
                    + freed
                    + "'::timestamptz + interval '"
                    + LEASE_MS
                    + " milliseconds'"))
        .as("lease ends a whole lease after the queue was free")
        .isEqualTo(1);
  }

  @Test
  void concurrentClaimCompletionAndHandBackBatchesOverTheSameRowsNeitherDeadlockNorFail()
      throws Exception {
    int n = 200;
    try (LogCapture log = new LogCapture()) {
      for (int round = 0; round < 5; round++) {
        TestDatabase.reset();
        newTasks(n);
        TaskClaims a = worker("a");
        TaskClaims b = worker("b");
        List<Claim> held = await(() -> Claiming.sweep(a, n));
        assertThat(held).hasSize(n);
        List<Claim> handedBack = held.subList(0, n * 2 / 3);
        List<Claim> completed = held.subList(n / 3, n);
        List<Future<?>> all = new ArrayList<>();
        await(
            () -> {
              // overlapping: the middle third is completed and handed back at the same time,
              // while b claims and sweeps, taking over what was handed back
              all.add(a.release(handedBack));
              completed.forEach(c -> all.add(a.completeProcessing(c)));
              for (int i = 0; i < n / 10; i++) {
                all.add(b.claim(Claiming.DEFAULT, 10, i % 2 == 0));
              }
              all.add(Claiming.sweep(b, n));
              List<Claim> reversed = new ArrayList<>(held);
              java.util.Collections.reverse(reversed);
              all.add(a.release(reversed));
              return Future.join(all).otherwiseEmpty();
            });
        assertThat(all).as("round %d", round).allMatch(Future::succeeded);
      }
      assertThat(log.lines()).noneMatch(line -> line.contains("transaction aborted"));
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'")).isZero();
  }
}
