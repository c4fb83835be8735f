package io.taskservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.taskservice.TestDatabase;
import io.taskservice.ops.LogCapture;
import io.taskservice.worker.TaskWorkerVerticle;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a node says and does while it starts: its lease check, and a stop before it is ready. */
class NodeStartupTest {
  private static final String FLYWAY_MIGRATE = "org.flywaydb.core.internal.command.DbMigrate";

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  /**
   * Holds the thread that logs a given line (the migration's last one) until released: the test
   * decides when the migration ends.
   */
  private static final class HoldAtLine extends AppenderBase<ILoggingEvent> {
    private final String text;
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HoldAtLine(String text) {
      this.text = text;
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getFormattedMessage().contains(text)) {
        reached.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void aNodeClosedWhileItsMigrationEndsStartsNoWorker() throws Exception {
    try (LogCapture log = new LogCapture()) {
      closeWhenTheLineIsLogged(FLYWAY_MIGRATE, "is up to date");
      assertThat(log.lines()).noneMatch(l -> l.contains("Worker started"));
      assertThat(log.lines()).noneMatch(l -> l.contains("consuming"));
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'new'"))
        .as("nothing was claimed")
        .isOne();
  }

  @Test
  void aNodeClosedWhileItsWorkerStartsStopsThatWorkerBeforeItsPool() throws Exception {
    try (LogCapture log = new LogCapture()) {
      closeWhenTheLineIsLogged(TaskWorkerVerticle.class.getName(), "consuming");
      // the worker's first sweep and its hand-back ran while the pool was still open
      assertThat(log.lines())
          .noneMatch(l -> l.contains("sweep failed"))
          .noneMatch(l -> l.contains("could not hand back"))
          .noneMatch(l -> l.contains("Undeploy failed"));
    }
    // whatever the worker's first sweep claimed, it finished or handed back before the pool closed
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM tasks WHERE status <> 'processing' OR lease_until <= now()"))
        .isOne();
  }

  /**
   * Starts a node next to a task its first sweep would claim at once, holds the thread that logs
   * {@code text} until {@link Node#close()} was called, then waits for the close.
   */
  private static void closeWhenTheLineIsLogged(String logger, String text) throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, created_at) VALUES ('waiting', now() - interval '1 minute')");
    Logger holding = (Logger) LoggerFactory.getLogger(logger);
    Level level = holding.getLevel();
    HoldAtLine hold = new HoldAtLine(text);
    hold.setContext(holding.getLoggerContext());
    hold.start();
    holding.setLevel(Level.INFO);
    holding.addAppender(hold);
    try {
      Node node =
          Node.start(
                  TestDatabase.config(
                      Map.of("TASKS_NEW_GRACE_MS", "0", "TASKS_SWEEP_INTERVAL_MS", "50")))
              .await(30, TimeUnit.SECONDS);
      assertThat(hold.reached.await(20, TimeUnit.SECONDS)).as("reached: " + text).isTrue();
      Future<Void> closing = node.close();
      hold.release.countDown();
      closing.await(30, TimeUnit.SECONDS);
    } finally {
      hold.release.countDown();
      holding.detachAppender(hold);
      holding.setLevel(level);
    }
  }

  @Test
  void aLeaseThatCannotCoverASlowCompletionIsReportedOnceAtStartUp() throws Exception {
    assertThat(leaseWarnings(Map.of("TASKS_PROCESSING_DELAY_MS", "1000", "TASKS_LEASE_MS", "2000")))
        .as("lease 2 s < delay 1 s + database limit 5 s + sweep 1 s")
        .isOne();
    assertThat(
            leaseWarnings(
                Map.of(
                    "TASKS_PROCESSING_DELAY_MS", "1000",
                    "TASKS_LEASE_MS", "7000",
                    "TASKS_DB_TIMEOUT_MS", "5000",
                    "TASKS_SWEEP_INTERVAL_MS", "1000")))
        .as("a lease of exactly delay + database limit + sweep")
        .isZero();
  }

  private static long leaseWarnings(Map<String, String> overrides) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(overrides);
    env.put("TASKS_ROLE", "worker");
    try (LogCapture log = new LogCapture()) {
      Node node = Node.start(TestDatabase.config(env)).await(30, TimeUnit.SECONDS);
      try {
        node.startup().await(30, TimeUnit.SECONDS);
      } finally {
        node.close().await(30, TimeUnit.SECONDS);
      }
      return log.events().stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .filter(e -> e.getFormattedMessage().contains("TASKS_LEASE_MS"))
          .count();
    }
  }
}
