package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.bus.Addresses;
import io.taskservice.cluster.Membership;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.ops.LogCapture;
import io.taskservice.ops.WorkerStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One worker verticle: which claims it holds, and what becomes of them when it stops. */
class TaskWorkerVerticleTest {
  private static final String WORKER = TaskWorkerVerticle.class.getName();

  private Vertx vertx;
  private Pool pool;
  private final Stats stats = new Stats();

  /** What the worker reported, as metrics would see it. */
  private static final class Stats implements WorkerStats {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final List<ClaimReason> recovered = new CopyOnWriteArrayList<>();
    final List<Completion> finished = new CopyOnWriteArrayList<>();

    @Override
    public void consumerStarted() {}

    @Override
    public void consumerStopped() {}

    @Override
    public void capacity(Map<String, Integer> limits) {}

    @Override
    public void inFlight(String bucket, int delta) {
      inFlight.addAndGet(delta);
    }

    @Override
    public void recovered(ClaimReason reason) {
      recovered.add(reason);
    }

    @Override
    public void finished(Completion completion) {
      finished.add(completion);
    }

    @Override
    public void error() {
      errors.incrementAndGet();
    }
  }

  @BeforeEach
  void start() {
    TestDatabase.reset();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    TestDatabase.execute("DROP TRIGGER IF EXISTS refuse_completion ON tasks");
    TestDatabase.execute("DROP FUNCTION IF EXISTS refuse_completion()");
    TestDatabase.execute("DROP TABLE IF EXISTS refused_claims");
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private String deploy(Map<String, String> overrides) throws Exception {
    AppConfig config = TestDatabase.config(overrides);
    pool = Database.pool(vertx, config);
    return vertx
        .deployVerticle(
            new TaskWorkerVerticle(
                "worker-test", config, pool, new TitleParityPolicy(), stats, new Membership()))
        .await(20, TimeUnit.SECONDS);
  }

  /** What the HTTP side publishes after a create: the default queue has tasks to claim. */
  private void wakeUp() {
    vertx.eventBus().publish(Addresses.WAKE_UP, Claiming.DEFAULT);
  }

  private static long newTask() {
    TestDatabase.execute("INSERT INTO tasks (title) VALUES ('Process report')");
    return TestDatabase.count("SELECT max(id) FROM tasks");
  }

  /** Finished, or handed back: processing with its lease ended, so any worker takes it at once. */
  private static long finishedOrHandedBack(long id) {
    return TestDatabase.count(
        "SELECT count(*) FROM tasks WHERE id = "
            + id
            + " AND (status IN ('done', 'failed')"
            + " OR (status = 'processing' AND lease_until <= now()))");
  }

  @Test
  void aLateCompletionOfAReplacedClaimLeavesTheNewerClaimOfTheSameWorkerInPlace() throws Exception {
    // the first claim's completion keeps failing until its lease runs out and this worker's own
    // sweep claims the task again; the second claim's work outlasts the test's stop
    String deployment =
        deploy(
            Map.of(
                "TASKS_PROCESSING_DELAY_MS", "3000",
                "TASKS_LEASE_MS", "60000",
                "TASKS_SWEEP_INTERVAL_MS", "100",
                "TASKS_NEW_GRACE_MS", "600000",
                "TASKS_SHUTDOWN_GRACE_MS", "0"));
    long id = newTask();
    try (LogCapture log = new LogCapture(WORKER)) {
      wakeUp();
      Await.until(
          "the first claim",
          Duration.ofSeconds(10),
          () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'processing'"),
          n -> n == 1);
      refuseCompletionsOfTheCurrentClaim();
      Await.until(
          "the first completion failed", Duration.ofSeconds(10), stats.errors::get, n -> n >= 1);
      TestDatabase.execute("UPDATE tasks SET lease_until = now() - interval '1 second'");
      Await.until(
          "claimed again by the sweep",
          Duration.ofSeconds(10),
          () -> List.copyOf(stats.recovered),
          r -> r.contains(ClaimReason.LEASE_EXPIRED));
      // the first claim's retry comes due and finds its claim replaced
      Await.until(
          "the first claim's retry",
          Duration.ofSeconds(10),
          log::lines,
          lines ->
              lines.stream()
                  .anyMatch(
                      l ->
                          l.contains("task " + id + ": completion of a replaced claim")
                              || l.contains("task " + id + ": claim lost")));
      assertThat(log.lines()).noneMatch(l -> l.contains("claim lost"));
      assertThat(stats.inFlight.get()).as("the newer claim is held").isEqualTo(1);

      vertx.undeploy(deployment).await(20, TimeUnit.SECONDS);
    }
    assertThat(finishedOrHandedBack(id)).as("the newer claim is finished or handed back").isOne();
    assertThat(stats.inFlight.get()).isZero();
  }

  /** A trigger that fails the completion of the claim the task has now, and of no later one. */
  private static void refuseCompletionsOfTheCurrentClaim() {
    TestDatabase.execute(
        "CREATE TABLE refused_claims AS SELECT claim_token FROM tasks WHERE status = 'processing'");
    TestDatabase.execute(
        "CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.status IN ('done', 'failed')"
            + " AND OLD.claim_token IN (SELECT claim_token FROM refused_claims) THEN"
            + " RAISE EXCEPTION 'completion refused'; END IF; RETURN NEW; END $$");
    TestDatabase.execute(
        "CREATE TRIGGER refuse_completion BEFORE UPDATE ON tasks"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_completion()");
  }

  /** A trigger that fails every completion of task {@code id} until it is dropped. */
  private static void refuseCompletionsOfTask(long id) {
    TestDatabase.execute(
        "CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.status IN ('done', 'failed') AND OLD.id = "
            + id
            + " THEN RAISE EXCEPTION 'completion refused'; END IF; RETURN NEW; END $$");
    TestDatabase.execute(
        "CREATE TRIGGER refuse_completion BEFORE UPDATE ON tasks"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_completion()");
  }

  @Test
  void aClaimAnsweredAfterStopBeganIsHandedBack() throws Exception {
    String deployment =
        deploy(
            Map.of(
                "TASKS_PROCESSING_DELAY_MS", "60000",
                "TASKS_LEASE_MS", "120000",
                "TASKS_NEW_GRACE_MS", "600000",
                "TASKS_SWEEP_INTERVAL_MS", "3600000",
                "TASKS_SHUTDOWN_GRACE_MS", "0"));
    SqlConnection blocker = pool.getConnection().await(10, TimeUnit.SECONDS);
    Future<?> stopped;
    long id;
    try (LogCapture log = new LogCapture(WORKER)) {
      Transaction tx = blocker.begin().await(10, TimeUnit.SECONDS);
      blocker
          .preparedQuery(TaskClaims.LOCK_EXCLUSIVE)
          .execute(Tuple.of(Claiming.DEFAULT))
          .await(10, TimeUnit.SECONDS);
      id = newTask();
      // the claim call (the wake-up's, or the sweep's: one claim per queue at a time) waits for
      // the queue's lock
      wakeUp();
      Await.until(
          "the claim waits for the queue's lock",
          Duration.ofSeconds(10),
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND wait_event_type = 'Lock'"),
          n -> n == 1);
      stopped = vertx.undeploy(deployment);
      Await.until(
          "the worker is stopping",
          Duration.ofSeconds(10),
          log::lines,
          lines -> lines.stream().anyMatch(l -> l.contains("stopping: 0 tasks in flight")));
      // the grace (none) is over; the claim commits only now
      tx.commit().await(10, TimeUnit.SECONDS);
    } finally {
      blocker.close().await(10, TimeUnit.SECONDS);
    }
    stopped.await(20, TimeUnit.SECONDS);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE claim_token IS NOT NULL"))
        .as("the late claim committed")
        .isOne();
    assertThat(finishedOrHandedBack(id)).as("the late claim is handed back").isOne();
    assertThat(stats.inFlight.get()).isZero();
  }

  @Test
  void aWorkerWhoseCompletionsFallBehindClaimsNothingMoreUntilItCatchesUp() throws Exception {
    // completions more than (lease - delay) / 4 = 300 ms late make the worker back off
    deploy(
        Map.of(
            "TASKS_PROCESSING_DELAY_MS", "200",
            "TASKS_LEASE_MS", "1400",
            "TASKS_SWEEP_INTERVAL_MS", "100",
            "TASKS_NEW_GRACE_MS", "0",
            "TASKS_SHUTDOWN_GRACE_MS", "0"));
    long first = newTask();
    // refused before it is claimed: with a 200 ms delay, its completion could otherwise come
    // before the refusal is in place on a busy machine
    refuseCompletionsOfTask(first);
    try (LogCapture log = new LogCapture(WORKER)) {
      wakeUp();
      Await.until(
          "the first claim",
          Duration.ofSeconds(10),
          () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'processing'"),
          n -> n == 1);
      Await.until(
          "the worker backs off",
          Duration.ofSeconds(10),
          log::lines,
          lines -> lines.stream().anyMatch(l -> l.contains("backs off")));

      long second = newTask();
      wakeUp();
      // ten sweeps' worth of time: a worker that keeps claiming takes it at the first
      Await.until(
          "the second task waited a second",
          Duration.ofSeconds(10),
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM tasks WHERE id = "
                      + second
                      + " AND created_at < now() - interval '1 second'"),
          n -> n == 1);
      assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'"))
          .as("the second task is left to others")
          .isOne();

      TestDatabase.execute("DROP TRIGGER refuse_completion ON tasks");
      Await.until(
          "both finished",
          Duration.ofSeconds(20),
          () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status IN ('done', 'failed')"),
          n -> n == 2);
      assertThat(log.lines()).anyMatch(l -> l.contains("caught up"));
      // the first task was finished once, by its own claim: its lease never passed to another
      // (the worker reports a completion after its commit: wait for the report, then count)
      Await.until(
          "both reported", Duration.ofSeconds(10), () -> stats.finished.size(), n -> n >= 2);
      assertThat(stats.finished).hasSize(2);
      assertThat(log.lines()).noneMatch(l -> l.contains("claim lost"));
    }
  }
}
