package io.taskservice.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.TaskStatus;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import io.taskservice.tasks.TaskRetention;
import io.taskservice.worker.Claiming;
import io.taskservice.worker.TaskClaims;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The history the service's statements write, and the change feed's reads of it: above all the late
 * commit, which a feed that reads "every seq above the last one seen" would lose for good.
 */
class TaskHistoryTest extends PoolTest {
  private static final long LEASE_MS = 60_000;
  private static final long GRACE_MS = 60_000;

  private static TaskHistory history() {
    return new TaskHistory(pool, 5000);
  }

  private static TaskClaims claims(String worker) {
    return new TaskClaims(pool, 5000, worker, LEASE_MS, GRACE_MS, new TitleParityPolicy());
  }

  /** One sequencer round, then the feed's read from {@code from}. */
  private static TaskHistory.Changes sequenceThenRead(EventCursor from) throws Exception {
    onContext(() -> new Sequencer(pool, 5000).round());
    return onContext(() -> history().read(from, 1000, 1000));
  }

  @Test
  void aChangeThatCommitsAfterALaterOneIsLoggedAfterItAndReadOnce() throws Exception {
    TaskHistory history = history();
    EventCursor start = sequenceThenRead(onContext(history::now).end()).next();
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
      long earlyId = onContext(() -> tasks.create(NewTask.of("early"))).id();
      TaskHistory.Changes first = sequenceThenRead(start);
      assertThat(first.changes()).extracting(c -> c.task().id()).containsExactly(earlyId);
      EventCursor early = first.changes().get(0).cursor();
      long lateSeq;
      try (Statement s = late.createStatement();
          ResultSet rows =
              s.executeQuery("SELECT seq FROM task_history WHERE task_id = " + lateId)) {
        rows.next();
        lateSeq = rows.getLong(1);
      }
      assertThat(lateSeq)
          .as("the late change took its seq before the early one: the ordering trap is real")
          .isLessThan(early.seq());
      late.commit();

      TaskHistory.Changes next = sequenceThenRead(first.next());
      assertThat(next.changes())
          .as("the feed reads the late commit, at a later position")
          .extracting(c -> c.task().id())
          .containsExactly(lateId);
      assertThat(next.changes().get(0).cursor().pos()).isGreaterThan(early.pos());
      // a client whose last event was the early change resumes and gets exactly the late one
      TaskHistory.Changes resumed = onContext(() -> history.read(early, Long.MAX_VALUE / 8, 100));
      assertThat(resumed.changes()).extracting(c -> c.task().id()).containsExactly(lateId);
      assertThat(sequenceThenRead(next.next()).changes()).isEmpty();
    }
  }

  @Test
  void aResumeIsNotHeldBackByATransactionLeftOpenAnywhere() throws Exception {
    TaskHistory history = history();
    EventCursor start = sequenceThenRead(onContext(history::now).end()).next();
    TaskRepository tasks = new TaskRepository(pool, 5000);
    try (Connection idle = TestDatabase.connect()) {
      // a writer left idle in transaction: it holds a transaction id, and so the server's xmin
      idle.setAutoCommit(false);
      try (Statement s = idle.createStatement()) {
        s.execute("SELECT pg_current_xact_id()");
      }
      for (int i = 0; i < 20; i++) {
        String title = "t" + i;
        onContext(() -> tasks.create(NewTask.of(title)));
        onContext(() -> new Sequencer(pool, 5000).round());
      }
      TaskHistory.Changes all = onContext(() -> history.read(start, 1000, 1000));
      assertThat(all.changes()).hasSize(20);
      EventCursor tenth = all.changes().get(9).cursor();
      TaskHistory.Changes resumed = onContext(() -> history.read(tenth, Long.MAX_VALUE / 8, 100));
      assertThat(resumed.changes())
          .as("exactly the ten changes after the tenth, the open transaction notwithstanding")
          .extracting(TaskHistory.Change::cursor)
          .containsExactlyElementsOf(
              all.changes().subList(10, 20).stream().map(TaskHistory.Change::cursor).toList());
      idle.rollback();
    }
  }

  @Test
  void aReadIsBoundedAndTheNextGoesOnWhereItStopped() throws Exception {
    TaskHistory history = history();
    EventCursor start = sequenceThenRead(onContext(history::now).end()).next();
    // one transaction, twelve changes: a read may stop inside it
    TestDatabase.execute(
        "WITH created AS (INSERT INTO tasks (title) SELECT 'b' || g FROM generate_series(1, 12)"
            + " AS g RETURNING id, created_at), "
            + TaskHistory.CREATED
            + " SELECT count(*) FROM created");
    onContext(() -> new Sequencer(pool, 5000).round());
    List<TaskHistory.Change> read = new java.util.ArrayList<>();
    EventCursor at = start;
    for (int reads = 0; reads < 10; reads++) {
      EventCursor from = at;
      TaskHistory.Changes some = onContext(() -> history.read(from, 1000, 5));
      assertThat(some.changes()).hasSizeLessThanOrEqualTo(5);
      read.addAll(some.changes());
      at = some.next();
      if (!some.more()) {
        break;
      }
    }
    assertThat(read).hasSize(12);
    assertThat(read).extracting(TaskHistory.Change::cursor).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aRowThatIsNoChangeOfThisServiceIsSkippedAndTheFeedGoesOn() throws Exception {
    TaskHistory history = history();
    EventCursor start = sequenceThenRead(onContext(history::now).end()).next();
    long id = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("ab"))).id();
    // a change of a code this version does not know (written by a newer one), then one it knows
    // but with a status it does not
    TestDatabase.execute(
        "INSERT INTO task_history_changes VALUES (99, 'claimed', 'bogus', NULL, NULL, true)");
    try {
      TestDatabase.execute(
          "INSERT INTO task_history_rows (task_id, at, change) VALUES (" + id + ", now(), 99)");
      TestDatabase.execute(
          "INSERT INTO task_history_rows (task_id, at, change) VALUES (" + id + ", now(), 98)");
      long after = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("cd"))).id();
      TaskHistory.Changes read = sequenceThenRead(start);
      assertThat(read.skipped()).hasSize(2);
      assertThat(read.changes()).extracting(c -> c.task().id()).containsExactly(id, after);
    } finally {
      TestDatabase.execute("DELETE FROM task_history_rows WHERE change IN (98, 99)");
      TestDatabase.execute("DELETE FROM task_history_changes WHERE code = 99");
    }
  }

  @Test
  void onAnotherServerANewEpochBeginsAndRestoredRowsAreNotTakenForNewCommits() throws Exception {
    TaskHistory history = history();
    TaskHistory.State before = sequenceThenRead(onContext(history::now).end()).state();
    long restored = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("ab"))).id();
    // as a restore leaves them: the state of another server, rows with its transaction ids
    TestDatabase.execute("UPDATE task_feed_state SET system_id = system_id + 1");
    TestDatabase.execute(
        "UPDATE task_history_rows SET xid = '999999999999' WHERE task_id = " + restored);
    onContext(() -> new Sequencer(pool, 5000).round());
    TaskHistory.State after = onContext(history::now);
    assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
    long fresh = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("cd"))).id();
    TaskHistory.Changes read = sequenceThenRead(after.end());
    assertThat(read.changes())
        .as("only the change made on this server")
        .extracting(c -> c.task().id())
        .containsExactly(fresh);
    assertThat(read.changes().get(0).cursor().epoch()).isEqualTo(after.epoch());
    // a transaction counter behind the state (a restore whose server could not be told apart)
    TestDatabase.execute("UPDATE task_feed_state SET snap_xmax = '999999999999'");
    onContext(() -> new Sequencer(pool, 5000).round());
    assertThat(onContext(history::now).epoch()).isEqualTo(after.epoch() + 1);
  }

  @Test
  void aTaskTellsItsWholeStoryAndTheFeedOnlyItsStatusChanges() throws Exception {
    TaskHistory history = history();
    EventCursor start = sequenceThenRead(onContext(history::now).end()).next();
    long id = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("ab"))).id();
    TaskClaims first = claims("worker-a");
    Claim claim = onContext(() -> Claiming.next(first)).orElseThrow();
    assertThat(onContext(() -> first.release(List.of(claim)))).isEqualTo(1);
    // the hand-back ended the lease: another worker's sweep recovers it
    TaskClaims second = claims("worker-b");
    Claim recovered = onContext(() -> Claiming.sweep(second, 10)).get(0);
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

    TaskHistory.Changes changes = sequenceThenRead(start);
    assertThat(changes.changes())
        .extracting(c -> c.task().status())
        .containsExactly(TaskStatus.NEW, TaskStatus.PROCESSING, TaskStatus.DONE);
    assertThat(changes.changes().get(2).task().updatedAt()).isEqualTo(entries.get(4).at());
  }

  @Test
  void aTaskWhoseWakeUpWasLostIsRecoveredAsNewUnclaimed() throws Exception {
    long id = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("abc"))).id();
    // due for longer than the grace, and still new: its queue's wake-up was lost
    TestDatabase.execute("UPDATE tasks SET due_at = now() - interval '2 minutes'");
    onContext(() -> Claiming.sweep(claims("sweeper"), 10));
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
  void everyEntryCarriesItsTasksQueueAndPriority() throws Exception {
    long id =
        onContext(
                () -> new TaskRepository(pool, 5000).create(new NewTask("ab", "reports", 7, null)))
            .id();
    TestDatabase.execute(
        "INSERT INTO task_history (task_id, at, event, status) VALUES ("
            + id
            + ", now(), 'cancelled', 'cancelled')");
    assertThat(onContext(() -> history().of(id)).orElseThrow())
        .extracting(TaskHistory.Entry::event, TaskHistory.Entry::queue, TaskHistory.Entry::priority)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", "reports", 7),
            org.assertj.core.groups.Tuple.tuple("cancelled", "reports", 7));
  }

  @Test
  void retentionDeletesTheHistoryWithItsTaskAndRaisesThePrunedMark() throws Exception {
    TaskHistory history = history();
    long id = onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of("ab"))).id();
    TaskClaims worker = claims("worker-a");
    Claim claim = onContext(() -> Claiming.next(worker)).orElseThrow();
    assertThat(onContext(() -> worker.completeProcessing(claim))).isPresent();
    onContext(() -> new Sequencer(pool, 5000).round());
    long newest = onContext(history::now).lastPos();
    assertThat(onContext(history::now).below()).isLessThan(newest);
    TestDatabase.execute("UPDATE tasks SET updated_at = now() - interval '2 hours'");
    assertThat(onContext(() -> new TaskRetention(pool, 5000).prune(Duration.ofHours(1), 100)))
        .isEqualTo(1);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history")).isZero();
    assertThat(onContext(history::now).below()).isEqualTo(newest);
  }
}
