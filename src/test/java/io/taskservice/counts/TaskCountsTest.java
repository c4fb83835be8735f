package io.taskservice.counts;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.TaskStatus;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import io.taskservice.worker.Claiming;
import io.taskservice.worker.TaskClaims;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The exact counts of V2: what the triggers append, the fold, and how they are read. */
class TaskCountsTest extends PoolTest {
  private static TaskCounts counts() {
    return new TaskCounts(pool, 5000);
  }

  private static Map<TaskStatus, Long> all() throws Exception {
    return onContext(() -> counts().all());
  }

  private static void create(int n) throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000);
    onContext(
        () ->
            Future.all(
                IntStream.range(0, n).mapToObj(i -> tasks.create(NewTask.of("t" + i))).toList()));
  }

  @Test
  void countsFollowInsertsClaimsCompletionsAndHandTypedSql() throws Exception {
    create(10);
    assertThat(all())
        .containsEntry(TaskStatus.NEW, 10L)
        .containsEntry(TaskStatus.PROCESSING, 0L)
        .containsEntry(TaskStatus.DONE, 0L)
        .containsEntry(TaskStatus.FAILED, 0L);
    TaskClaims worker = new TaskClaims(pool, 5000, "w", 30_000, 60_000, new TitleParityPolicy());
    Claim claim = onContext(() -> Claiming.next(worker)).orElseThrow();
    assertThat(claim.taskId()).isEqualTo(1L);
    onContext(() -> Claiming.sweep(worker, 3));
    assertThat(all()).containsEntry(TaskStatus.NEW, 6L).containsEntry(TaskStatus.PROCESSING, 4L);
    onContext(() -> worker.completeProcessing(claim));
    assertThat(all()).containsEntry(TaskStatus.PROCESSING, 3L).containsEntry(TaskStatus.DONE, 1L);
    CountCheck.assertExact();

    TestDatabase.execute("UPDATE tasks SET status = 'failed', result = 'error' WHERE id > 8");
    TestDatabase.execute("DELETE FROM tasks WHERE id IN (1, 5)");
    TestDatabase.execute(
        "INSERT INTO tasks (title, status) SELECT 'import', 'done' FROM generate_series(1, 7)");
    assertThat(all())
        .containsEntry(TaskStatus.NEW, 3L)
        .containsEntry(TaskStatus.PROCESSING, 3L)
        .containsEntry(TaskStatus.DONE, 7L)
        .containsEntry(TaskStatus.FAILED, 2L);
    CountCheck.assertExact();
    assertThat(onContext(() -> counts().count(Optional.empty()))).isEqualTo(15L);
    assertThat(onContext(() -> counts().count(Optional.of(TaskStatus.DONE)))).isEqualTo(7L);
  }

  @Test
  void aStatementThatChangesNoStatusAppendsNothing() throws Exception {
    create(5);
    long before = CountCheck.rows();
    TestDatabase.execute("UPDATE tasks SET title = 'renamed', lease_until = now()");
    TestDatabase.execute("UPDATE tasks SET status = 'new' WHERE id = 1");
    assertThat(CountCheck.rows()).isEqualTo(before);
  }

  @Test
  void truncateEmptiesTheCounts() throws Exception {
    create(5);
    TestDatabase.execute("TRUNCATE tasks CASCADE");
    assertThat(CountCheck.rows()).isZero();
    assertThat(all())
        .containsOnlyKeys(TaskStatus.values())
        .allSatisfy((s, n) -> assertThat(n).isZero());
    // and what a transaction inserts after its TRUNCATE is counted
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO tasks (title) VALUES ('a')");
      s.execute("TRUNCATE tasks CASCADE");
      s.execute("INSERT INTO tasks (title) VALUES ('b'), ('c')");
      c.commit();
    }
    assertThat(all()).containsEntry(TaskStatus.NEW, 2L);
    CountCheck.assertExact();
  }

  @Test
  void aFoldLeavesOneRowPerStatusAndTheSameCounts() throws Exception {
    for (int i = 0; i < 5; i++) {
      create(3);
    }
    TestDatabase.execute("UPDATE tasks SET status = 'done' WHERE id % 2 = 0");
    TestDatabase.execute("UPDATE tasks SET status = 'processing' WHERE id % 3 = 0");
    Map<TaskStatus, Long> before = all();
    assertThat(CountCheck.rows()).isGreaterThan(4);

    assertThat(onContext(() -> counts().fold())).isGreaterThan(4L);

    assertThat(all()).isEqualTo(before);
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM (SELECT status FROM task_counts GROUP BY status"
                    + " HAVING count(*) > 1) AS s"))
        .isZero();
    // folded already: nothing to do, no row rewritten
    assertThat(onContext(() -> counts().fold())).isZero();
    CountCheck.assertExact();
  }

  @Test
  void aStatusWhoseTasksAllLeftFoldsToNoRow() throws Exception {
    create(3);
    TestDatabase.execute("DELETE FROM tasks");
    onContext(() -> counts().fold());
    assertThat(CountCheck.rows()).isZero();
  }

  @Test
  void concurrentFoldsNeverFoldARowTwice() throws Exception {
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 20; i++) {
        TestDatabase.execute(
            "INSERT INTO tasks (title, status) VALUES ('x', '"
                + TaskStatus.values()[i % 4].wire()
                + "')");
      }
      Map<TaskStatus, Long> before = all();
      List<Future<Long>> folds = new ArrayList<>();
      onContext(
          () -> {
            for (int f = 0; f < 6; f++) {
              folds.add(counts().fold());
            }
            return Future.all(folds);
          });
      assertThat(all()).as("round %d", round).isEqualTo(before);
      CountCheck.assertExact();
    }
  }

  @Test
  void theMigrationCountsTheTasksAlreadyStored() throws Exception {
    // V1 only, in a schema of its own, with tasks in it; then V2 on top
    String schema = "counts_from_v1";
    TestDatabase.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    try {
      flyway(schema, "1").migrate();
      TestDatabase.execute(
          "INSERT INTO "
              + schema
              + ".tasks (title, status) SELECT 'old', (ARRAY['new', 'done', 'done', 'failed'])[g % 4"
              + " + 1] FROM generate_series(1, 101) AS g");
      flyway(schema, "2").migrate();
      try (Connection c = TestDatabase.connect();
          Statement s = c.createStatement();
          ResultSet rows =
              s.executeQuery(
                  "SELECT status, sum(n) FROM " + schema + ".task_counts GROUP BY 1 ORDER BY 1")) {
        List<String> seen = new ArrayList<>();
        while (rows.next()) {
          seen.add(rows.getString(1) + "=" + rows.getLong(2));
        }
        assertThat(seen).containsExactly("done=51", "failed=25", "new=25");
      }
      // the triggers count into the task_counts next to the table changed, not into the one
      // the session's search_path finds first
      long publicRows = CountCheck.rows();
      TestDatabase.execute("DELETE FROM " + schema + ".tasks WHERE status = 'new'");
      assertThat(
              TestDatabase.count(
                  "SELECT sum(n) FROM " + schema + ".task_counts WHERE status = 'new'"))
          .isZero();
      assertThat(CountCheck.rows()).isEqualTo(publicRows);
    } finally {
      TestDatabase.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private static Flyway flyway(String schema, String target) {
    PgConnectOptions db =
        Database.connectOptions(AppConfig.load(Map.of("TASKS_DB_URL", TestDatabase.url())));
    return Flyway.configure()
        .dataSource(
            "jdbc:postgresql://" + db.getHost() + ":" + db.getPort() + "/" + db.getDatabase(),
            db.getUser(),
            db.getPassword())
        .schemas(schema)
        .target(target)
        .locations("classpath:db/migration")
        .load();
  }
}
