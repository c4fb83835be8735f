package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.changefeed.Sequencer;
import io.taskservice.counts.CountCheck;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.worker.Claiming;
import io.taskservice.worker.TaskClaims;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retention's deletes: what is deleted, in what order and batches, and who never waits. */
class TaskRetentionTest extends PoolTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private static TaskRetention retention() {
    return new TaskRetention(pool, 5000);
  }

  /**
   * {@code n} tasks in {@code status}, last changed {@code minutesAgo} (the i-th one i ms later).
   */
  private static void stored(int n, String status, int minutesAgo) {
    String result =
        switch (status) {
          case "done" -> "'success'";
          case "failed" -> "'error'";
          default -> "NULL";
        };
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result, created_at, updated_at) SELECT '"
            + status
            + " ' || g, '"
            + status
            + "', "
            + result
            + ", now() - interval '"
            + minutesAgo
            + " minutes' - interval '1 hour', now() - interval '"
            + minutesAgo
            + " minutes' + g * interval '1 millisecond' FROM generate_series(1, "
            + n
            + ") AS g");
  }

  private static long left(String where) {
    return TestDatabase.count("SELECT count(*) FROM tasks WHERE " + where);
  }

  @Test
  void onlyFinishedTasksLastChangedBeforeTheRetentionAreDeleted() throws Exception {
    stored(3, "done", 90);
    stored(2, "failed", 61);
    stored(4, "new", 600);
    stored(5, "processing", 600);
    stored(6, "done", 59);
    stored(7, "failed", 1);

    assertThat(onContext(() -> retention().prune(HOUR, 1000))).isEqualTo(5);

    assertThat(left("status = 'new'")).isEqualTo(4);
    assertThat(left("status = 'processing'")).isEqualTo(5);
    assertThat(left("status = 'done'")).isEqualTo(6);
    assertThat(left("status = 'failed'")).isEqualTo(7);
    assertThat(onContext(() -> retention().prune(HOUR, 1000))).isZero();
    CountCheck.assertExact();
  }

  @Test
  void batchesAreBoundedAndTheOldestGoFirst() throws Exception {
    stored(10, "done", 300);
    stored(15, "failed", 200);
    stored(1, "done", 30);

    assertThat(onContext(() -> retention().prune(HOUR, 12))).isEqualTo(12);
    // the 10 oldest (done, 300 min) and the 2 oldest of the next ones went first
    assertThat(left("status = 'done'")).isEqualTo(1);
    assertThat(left("title IN ('failed 1', 'failed 2')")).isZero();
    assertThat(onContext(() -> retention().prune(HOUR, 12))).isEqualTo(12);
    assertThat(onContext(() -> retention().prune(HOUR, 12))).isEqualTo(1);
    assertThat(onContext(() -> retention().prune(HOUR, 12))).isZero();
    // never more than a thousand in one transaction, whatever is asked
    stored(1500, "done", 300);
    assertThat(onContext(() -> retention().prune(HOUR, 5000))).isEqualTo(1000);
  }

  @Test
  void rowsLockedByAnotherTransactionAreSkippedNotWaitedFor() throws Exception {
    stored(20, "done", 300);
    try (Connection other = TestDatabase.connect();
        Statement s = other.createStatement()) {
      other.setAutoCommit(false);
      // another node's prune (or an operator) holds the five oldest
      s.execute("SELECT id FROM tasks ORDER BY updated_at LIMIT 5 FOR UPDATE");

      assertThat(onContext(() -> retention().prune(HOUR, 1000))).isEqualTo(15);

      other.commit();
    }
    assertThat(onContext(() -> retention().prune(HOUR, 1000))).isEqualTo(5);
  }

  @Test
  void insertsClaimsAndCompletionsDoNotWaitForAPruneInProgress() throws Exception {
    stored(50, "done", 300);
    TaskRepository tasks = new TaskRepository(pool, 2000);
    TaskClaims worker = new TaskClaims(pool, 2000, "w", 30_000, 60_000, new TitleParityPolicy());
    try (Connection pruner = TestDatabase.connect();
        PreparedStatement prune =
            pruner.prepareStatement(TaskRetention.PRUNE.replaceAll("\\$\\d", "?"))) {
      pruner.setAutoCommit(false);
      prune.setLong(1, HOUR.toMillis());
      prune.setInt(2, 1000);
      try (ResultSet deleted = prune.executeQuery()) {
        deleted.next();
        assertThat(deleted.getLong("n")).isEqualTo(50); // not committed: its locks are held
      }

      long id = onContext(() -> tasks.create(NewTask.of("created during a prune"))).id();
      Claim claim = onContext(() -> Claiming.next(worker)).orElseThrow();
      assertThat(claim.taskId()).isEqualTo(id);
      assertThat(onContext(() -> worker.completeProcessing(claim))).isPresent();

      pruner.commit();
    }
    assertThat(left("true")).isEqualTo(1);
    CountCheck.assertExact();
  }

  /**
   * Every prune marks the change feed's positions whose history it deleted: two pruners (two nodes)
   * at once must not queue behind each other for that mark.
   */
  @Test
  void prunersOnTwoNodesMarkTheFeedWithoutWaitingForEachOther() throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 2000);
    for (int i = 0; i < 10; i++) {
      String title = "p" + i;
      onContext(() -> tasks.create(NewTask.of(title)));
    }
    onContext(() -> new Sequencer(pool, 2000).round());
    TestDatabase.execute(
        "UPDATE tasks SET status = 'done', result = 'success',"
            + " updated_at = now() - interval '2 hours'");
    long marksBefore = TestDatabase.count("SELECT count(*) FROM task_feed_pruned");
    try (Connection pruner = TestDatabase.connect();
        PreparedStatement prune =
            pruner.prepareStatement(TaskRetention.PRUNE.replaceAll("\\$\\d", "?"))) {
      pruner.setAutoCommit(false);
      prune.setLong(1, HOUR.toMillis());
      prune.setInt(2, 5);
      try (ResultSet deleted = prune.executeQuery()) {
        deleted.next();
        assertThat(deleted.getLong("n")).isEqualTo(5); // not committed: its locks are held
      }
      // the other node's prune completes within its 2 s limit while the first is still open
      assertThat(onContext(() -> new TaskRetention(pool, 2000).prune(HOUR, 1000))).isEqualTo(5);
      pruner.commit();
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM task_feed_pruned"))
        .isEqualTo(marksBefore + 2);
  }

  @Test
  void prunersOnManyNodesShareTheWorkWithoutDeletingTwice() throws Exception {
    stored(2500, "done", 300);
    stored(40, "new", 300);
    List<TaskRetention> nodes = List.of(retention(), retention(), retention(), retention());
    List<Integer> batches = new ArrayList<>();
    int round;
    do {
      List<Integer> deleted =
          onContext(
              () ->
                  Future.all(nodes.stream().map(r -> r.prune(HOUR, 300)).toList())
                      .map(all -> all.<Integer>list()));
      batches.addAll(deleted);
      round = deleted.stream().mapToInt(Integer::intValue).sum();
    } while (round > 0);

    assertThat(batches).allMatch(n -> n <= 300);
    assertThat(batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(2500);
    assertThat(left("true")).isEqualTo(40);
    CountCheck.assertExact();
  }
}
