package io.taskservice.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.NewTask;
import io.taskservice.tasks.TaskRepository;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The history stored narrow (migration V9): coded rows, and the view {@code task_history} that
 * shows them, and the rows written before the migration, by name, to whoever reads or writes it
 * that way (an operator, a node of the previous version during a rolling upgrade).
 */
class NarrowHistoryTest extends PoolTest {
  private static TaskHistory history() {
    return new TaskHistory(pool, 5000);
  }

  private static long create(String title) throws Exception {
    return onContext(() -> new TaskRepository(pool, 5000).create(NewTask.of(title))).id();
  }

  @Test
  void theCodesOfTheServiceAreTheRowsOfTheTableThatNamesThem() throws Exception {
    List<String> table = new ArrayList<>();
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT code, event, status, result, reason, streamed FROM task_history_changes"
                    + " ORDER BY code")) {
      while (rows.next()) {
        table.add(
            rows.getInt(1)
                + " "
                + rows.getString(2)
                + " "
                + rows.getString(3)
                + " "
                + rows.getString(4)
                + " "
                + rows.getString(5)
                + " "
                + rows.getBoolean(6));
      }
    }
    assertThat(table)
        .containsExactlyElementsOf(
            Arrays.stream(HistoryChange.values())
                .map(
                    h ->
                        h.code()
                            + " "
                            + h.event()
                            + " "
                            + h.status()
                            + " "
                            + h.result()
                            + " "
                            + h.reason()
                            + " "
                            + h.streamed())
                .toList());
  }

  @Test
  void aRowWrittenByNameIsStoredCodedAndReadBackTheSame() throws Exception {
    long id = create("ab");
    // as the previous version writes a hand-back, and an operator might
    TestDatabase.execute(
        "INSERT INTO task_history (task_id, at, event, status, worker, reason) VALUES ("
            + id
            + ", now(), 'handed_back', 'processing', 'node-old', 'member_left')");
    assertThat(
            TestDatabase.count(
                "SELECT change FROM task_history_rows WHERE task_id = "
                    + id
                    + " AND worker ="
                    + " (SELECT id FROM worker_names WHERE name = 'node-old')"))
        .isEqualTo(HistoryChange.HANDED_BACK_MEMBER_LEFT.code());
    assertThat(onContext(() -> history().of(id)).orElseThrow())
        .extracting(TaskHistory.Entry::event, TaskHistory.Entry::worker, TaskHistory.Entry::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null, null),
            org.assertj.core.groups.Tuple.tuple("handed_back", "node-old", "member_left"));
  }

  @Test
  void aRowNoCodeSaysIsRefused() throws Exception {
    long id = create("ab");
    assertThatThrownBy(
            () ->
                TestDatabase.execute(
                    "INSERT INTO task_history (task_id, at, event, status) VALUES ("
                        + id
                        + ", now(), 'finished', 'new')"))
        .hasMessageContaining("no change is (finished, new");
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE task_id = " + id))
        .isEqualTo(1);
  }

  @Test
  void aWorkerIsNamedOnceHoweverManyRowsNameIt() throws Exception {
    long a = create("ab");
    long b = create("cd");
    for (long id : new long[] {a, b, a}) {
      TestDatabase.execute(
          "INSERT INTO task_history (task_id, at, event, status, worker) VALUES ("
              + id
              + ", now(), 'claimed', 'processing', 'node-one')");
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM worker_names WHERE name = 'node-one'"))
        .isEqualTo(1);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE worker = 'node-one'"))
        .isEqualTo(3);
  }

  @Test
  void rowsWrittenBeforeTheMigrationAreATasksHistoryAndTheFeedsChanges() throws Exception {
    onContext(() -> new Sequencer(pool, 5000).round());
    EventCursor start = onContext(() -> history().now()).end();
    long id = create("ab");
    // a claim and a hand-back as the table before the migration holds them, of a transaction the
    // feed has not logged yet; their seqs are below every seq after the migration, which continues
    // the old table's sequence (taken from it here, as the migration's start value)
    TestDatabase.execute(
        "INSERT INTO task_history_old (task_id, seq, at, event, status, worker)"
            + " OVERRIDING SYSTEM VALUE VALUES ("
            + id
            + ", nextval('task_history_rows_seq'), now(), 'claimed', 'processing', 'node-before'), ("
            + id
            + ", nextval('task_history_rows_seq'), now(), 'handed_back', 'processing',"
            + " 'node-before')");
    assertThat(onContext(() -> history().of(id)).orElseThrow())
        .extracting(TaskHistory.Entry::event, TaskHistory.Entry::worker)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null),
            org.assertj.core.groups.Tuple.tuple("claimed", "node-before"),
            org.assertj.core.groups.Tuple.tuple("handed_back", "node-before"));
    onContext(() -> new Sequencer(pool, 5000).round());
    TaskHistory.Changes read = onContext(() -> history().read(start, 1000, 1000));
    assertThat(read.changes())
        .as("the creation and the old table's claim; its hand-back is no event")
        .extracting(c -> c.task().status().wire())
        .containsExactly("new", "processing");
  }
}
