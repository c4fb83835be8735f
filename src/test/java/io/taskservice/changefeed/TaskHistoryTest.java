package io.taskservice.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.TaskStatus;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import io.taskservice.tasks.TaskRetention;
import io.taskservice.worker.TaskClaims;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The history the service's statements write, and the change feed's reads of it: above all the late
 * commit, which a feed that reads "every seq above the last one seen" would lose for good.
 */
class TaskHistoryTest extends PoolTest {
  private static final long LEASE_MS = 60_000;

  private static TaskHistory history() {
    return new TaskHistory(pool, 5000);
  }

  private static TaskClaims claims(String worker) {
    return new TaskClaims(pool, 5000, worker, LEASE_MS, new TitleParityPolicy());
  }

  @Test
  void aChangeThatCommitsAfterALaterOneIsReadNextTimeAndFromACursor() throws Exception {
    TaskHistory history = history();
    TaskHistory.Snapshot start = onContext(history::now);
    TaskRepository tasks = new TaskRepository(pool, 5000);
    try (Connection late = TestDatabase.connect()) {
      late.setAutoCommit(false);
      long lateId;
      try (Statement s = late.createStatement();
          ResultSet rows =
              s.executeQuery(
                  "WITH created AS (INSERT INTO tasks (title) VALUES ('late') RETURNING id,"
                      + " created_at), "
                      + TaskHistory.CREATED
                      + " SELECT id FROM created")) {
        rows.next();
        lateId = rows.getLong(1);
      }
      // a change that starts later and commits first: its seq is higher
      long earlyId = onContext(() -> tasks.create("early")).id();
      TaskHistory.Changes first = onContext(() -> history.changesSince(start));
      assertThat(first.changes()).extracting(c -> c.task().id()).containsExactly(earlyId);
      long earlySeq = first.changes().get(0).seq();
      long lateSeq;
      try (Statement s = late.createStatement();
          ResultSet rows =
              s.executeQuery("SELECT seq FROM task_history WHERE task_id = " + lateId)) {
        rows.next();
        lateSeq = rows.getLong(1);
      }
      assertThat(lateSeq)
          .as("the late change took its seq before the early one: the ordering trap is real")
          .isLessThan(earlySeq);
      late.commit();

      assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE seq > " + earlySeq))
          .as("a feed reading seqs above the last one seen finds nothing more")
          .isZero();
      TaskHistory.Changes next = onContext(() -> history.changesSince(first.snapshot()));
      assertThat(next.changes())
          .as("the feed reads the late commit")
          .extracting(c -> c.task().id())
          .containsExactly(lateId);

      // a client whose last event was the early change resumes and gets the late one (and may get
      // the early one again: it committed while the late transaction was still running)
      Optional<TaskHistory.Changes> resumed =
          onContext(() -> history.since(start.xmin(), first.snapshot().xmin(), earlySeq, 100));
      assertThat(resumed.orElseThrow().changes()).extracting(c -> c.task().id()).contains(lateId);
      TaskHistory.Changes nothingNew = onContext(() -> history.changesSince(next.snapshot()));
      assertThat(nothingNew.changes()).isEmpty();
    }
  }

  @Test
  void aTaskTellsItsWholeStoryAndTheFeedOnlyItsStatusChanges() throws Exception {
    TaskHistory history = history();
    TaskHistory.Snapshot start = onContext(history::now);
    long id = onContext(() -> new TaskRepository(pool, 5000).create("ab")).id();
    TaskClaims first = claims("worker-a");
    Claim claim = onContext(() -> first.startProcessing(id)).orElseThrow();
    assertThat(onContext(() -> first.release(List.of(claim)))).isEqualTo(1);
    // the hand-back ended the lease: another worker's sweep recovers it
    TaskClaims second = claims("worker-b");
    Claim recovered = onContext(() -> second.claimStale(3_600_000, 10)).get(0);
    assertThat(onContext(() -> second.completeProcessing(recovered))).isPresent();

    List<TaskHistory.Entry> entries = onContext(() -> history.of(id)).orElseThrow();
    assertThat(entries)
        .extracting(
            TaskHistory.Entry::event,
            TaskHistory.Entry::status,
            TaskHistory.Entry::result,
            TaskHistory.Entry::worker,
            TaskHistory.Entry::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", "new", null, null, null),
            org.assertj.core.groups.Tuple.tuple("claimed", "processing", null, "worker-a", null),
            org.assertj.core.groups.Tuple.tuple(
                "handed_back", "processing", null, "worker-a", null),
            org.assertj.core.groups.Tuple.tuple(
                "recovered", "processing", null, "worker-b", "lease_expired"),
            org.assertj.core.groups.Tuple.tuple("finished", "done", "success", "worker-b", null));
    assertThat(entries).extracting(TaskHistory.Entry::at).isSorted();

    TaskHistory.Changes changes = onContext(() -> history.changesSince(start));
    assertThat(changes.changes())
        .extracting(c -> c.task().status())
        .containsExactly(TaskStatus.NEW, TaskStatus.PROCESSING, TaskStatus.DONE);
    assertThat(changes.changes().get(2).task().updatedAt()).isEqualTo(entries.get(4).at());
  }

  @Test
  void aTaskWhoseMessageWasLostIsRecoveredAsNewUnclaimed() throws Exception {
    long id = onContext(() -> new TaskRepository(pool, 5000).create("abc")).id();
    onContext(() -> claims("sweeper").claimStale(0, 10));
    assertThat(onContext(() -> history().of(id)).orElseThrow())
        .extracting(TaskHistory.Entry::event, TaskHistory.Entry::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null),
            org.assertj.core.groups.Tuple.tuple("recovered", "new_unclaimed"));
  }

  @Test
  void aMissingTaskHasNoHistoryAndATaskFromBeforeHistoryAnEmptyOne() throws Exception {
    assertThat(onContext(() -> history().of(12345))).isEmpty();
    TestDatabase.execute("INSERT INTO tasks (id, title) VALUES (777, 'typed by hand')");
    assertThat(onContext(() -> history().of(777))).contains(List.of());
  }

  @Test
  void retentionDeletesTheHistoryWithItsTaskAndRaisesThePrunedMark() throws Exception {
    TaskHistory history = history();
    long id = onContext(() -> new TaskRepository(pool, 5000).create("ab")).id();
    TaskClaims worker = claims("worker-a");
    Claim claim = onContext(() -> worker.startProcessing(id)).orElseThrow();
    assertThat(onContext(() -> worker.completeProcessing(claim))).isPresent();
    long newest = TestDatabase.count("SELECT max(xid::text::bigint) FROM task_history");
    assertThat(onContext(history::now).pruned()).isLessThan(newest);
    TestDatabase.execute("UPDATE tasks SET updated_at = now() - interval '2 hours'");
    assertThat(onContext(() -> new TaskRetention(pool, 5000).prune(Duration.ofHours(1), 100)))
        .isEqualTo(1);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history")).isZero();
    assertThat(onContext(history::now).pruned()).isEqualTo(newest);
  }
}
