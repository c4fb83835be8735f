package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A backlog that built up while no worker ran is worked off as fast as the database allows: the
 * sweep claims a bounded batch at a time, but goes on at once while its batches come back full
 * instead of taking one batch per interval.
 */
class RecoveryBacklogTest {
  private static final int BACKLOG = 1000;
  private static final int BATCH = 50;

  @Test
  void aWorkerStartingOnABacklogClaimsItBatchAfterBatchWithoutWaitingForTheInterval()
      throws Exception {
    TestDatabase.reset();
    // rows without an event-bus message, as if created while no worker was up
    TestDatabase.execute(
        "INSERT INTO tasks (title, created_at) SELECT 'backlog ' || i, now() - interval '1 minute'"
            + " FROM generate_series(1, "
            + BACKLOG
            + ") AS i");
    // one batch per interval would take 20 intervals of 10 s
    Node worker =
        Node.start(
                TestDatabase.config(
                    Map.of(
                        "TASKS_ROLE", "worker",
                        "TASKS_HTTP_PORT", "0",
                        "TASKS_PROCESSING_DELAY_MS", "500",
                        "TASKS_SWEEP_BATCH", Integer.toString(BATCH),
                        "TASKS_SWEEP_INTERVAL_MS", "10000")))
            .await(30, TimeUnit.SECONDS);
    try {
      long open =
          Await.until(
              "the whole backlog is final",
              Duration.ofSeconds(15),
              () ->
                  TestDatabase.count(
                      "SELECT count(*) FROM tasks WHERE status IN ('new', 'processing')"),
              n -> n == 0);
      assertThat(open).isZero();
      assertThat(TestDatabase.count("SELECT count(*) FROM tasks WHERE result IS NOT NULL"))
          .isEqualTo(BACKLOG);
    } finally {
      worker.close().await(30, TimeUnit.SECONDS);
    }
  }
}
