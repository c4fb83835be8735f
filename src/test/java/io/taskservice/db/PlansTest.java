package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.config.AppConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements whose cost must not grow with the table have an index path under the service's own
 * session settings ({@code enable_seqscan=off} turns a missing index into a plan costed in the
 * billions rather than an error, so only the plan shows it), as generic plans of prepared
 * statements, which is what the service ends up running.
 */
class PlansTest {
  /**
   * Plans depend on the statistics of the moment: plan against a table of the shape the service
   * grows (most tasks finished, a few new and processing), not whatever the tests before left.
   */
  @BeforeAll
  static void realisticTable() {
    TestDatabase.reset();
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result)"
            + " SELECT 't' || g, CASE WHEN g % 100 = 0 THEN 'new' WHEN g % 100 = 1 THEN 'processing'"
            + " WHEN g % 2 = 0 THEN 'done' ELSE 'failed' END,"
            + " CASE WHEN g % 100 < 2 THEN NULL WHEN g % 2 = 0 THEN 'success' ELSE 'error' END"
            + " FROM generate_series(1, 20000) AS g");
    TestDatabase.execute("ANALYZE tasks");
  }

  @AfterAll
  static void emptyTable() {
    TestDatabase.reset();
  }

  /** The generic plan of {@code sql} (with {@code $n} placeholders of {@code types}). */
  static String plan(String sql, String types, String args) {
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement()) {
      Map<String, String> session =
          Database.connectOptions(AppConfig.load(Map.of("TASKS_DB_URL", TestDatabase.url())))
              .getProperties();
      for (Map.Entry<String, String> setting : session.entrySet()) {
        s.execute("SET " + setting.getKey() + " = '" + setting.getValue() + "'");
      }
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE planned" + (types.isEmpty() ? "" : "(" + types + ")") + " AS " + sql);
      StringBuilder plan = new StringBuilder();
      try (ResultSet rows =
          s.executeQuery("EXPLAIN EXECUTE planned" + (args.isEmpty() ? "" : "(" + args + ")"))) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      return plan.toString();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  static void assertIndexed(String sql, String types, String args) {
    String plan = plan(sql, types, args);
    assertThat(plan).as(sql).doesNotContain("Seq Scan");
  }

  @Test
  void retentionFindsExpiredTasksThroughItsPartialIndex() {
    assertThat(plan(TaskRetention.PRUNE, "bigint, int", "3600000, 1000"))
        .contains("tasks_finished_updated_idx")
        .doesNotContain("Seq Scan")
        .doesNotContain("Sort");
  }

  @Test
  void theChangeFeedReadsRecentHistoryByTransactionAndEachTaskByItsKey() {
    for (String plan :
        List.of(
            plan(TaskHistory.CHANGES, "text, text[]", "'1000', '{990,995}'"),
            plan(TaskHistory.SINCE, "text, text, bigint, int", "'1000', '1010', 5, 10000"))) {
      assertThat(plan)
          .contains("task_history_xid_idx")
          .contains("tasks_pkey")
          .contains("task_history_pruned_pkey")
          .doesNotContain("Seq Scan");
    }
  }

  @Test
  void cursorPagesReadAnIndexRangeInOrder() {
    for (String sql : new String[] {TaskRepository.BELOW_ALL, TaskRepository.ABOVE_ALL}) {
      assertThat(plan(sql, "bigint, int, int", "100, 21, 0"))
          .as(sql)
          .contains("tasks_pkey")
          .doesNotContain("Seq Scan")
          .doesNotContain("Sort");
    }
    for (String sql :
        new String[] {TaskRepository.BELOW_BY_STATUS, TaskRepository.ABOVE_BY_STATUS}) {
      assertIdsFirst(plan(sql, "text, bigint, int, int", "'done', 100, 21, 0"), sql);
    }
  }

  @Test
  void pagesWithAStatusReadTheirIdsFromTheStatusIndexThenEachRowByItsKey() {
    assertIdsFirst(plan(TaskRepository.PAGE_BY_STATUS, "text, int, int", "'new', 20, 40"), "page");
    assertThat(plan(TaskRepository.PAGE_ALL, "int, int", "20, 40"))
        .contains("Index Only Scan")
        .doesNotContain("Join")
        .doesNotContain("Seq Scan");
  }

  /**
   * The ids first, by an index, then the rows by primary key, no join, no sequential scan. Which
   * index gives the ids is the planner's choice: on a table of mostly finished tasks the generic
   * plan (a status is then a quarter of the rows) reads the primary key backwards and filters on
   * the status; on other statistics it reads (status, id).
   */
  private static void assertIdsFirst(String plan, String what) {
    assertThat(plan)
        .as(what)
        .contains("Index Cond: (id = ANY")
        .containsAnyOf("tasks_status_id_idx", "Filter: ((status)::text = $1)")
        .doesNotContain("Join")
        .doesNotContain("Seq Scan");
  }

  @Test
  void countsAndTheirFoldReadTheCountsThroughItsIndex() {
    assertIndexed(TaskCounts.COUNT_ALL, "", "");
    assertIndexed(TaskCounts.COUNT_BY_STATUS, "text", "'done'");
    assertIndexed(TaskCounts.ALL, "", "");
    assertIndexed(TaskCounts.FOLD, "", "");
  }
}
