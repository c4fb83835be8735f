package io.taskservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Plans of the statements whose cost must not grow with the table have an index path under the
 * service's own session settings ({@code enable_seqscan=off} turns a missing index into a plan
 * costed in the billions rather than an error, so only the plan shows it), as generic plans of
 * prepared statements, which is what the service ends up running.
 */
public final class Plans implements BeforeAllCallback, AfterAllCallback {
  /**
   * Plans against a table of realistic shape for the tests of a class: register with
   * {@code @RegisterExtension static final Plans PLANS = new Plans();}.
   */
  public Plans() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    realisticTable();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    emptyTable();
  }

  /**
   * Plans depend on the statistics of the moment: plan against a table of the shape the service
   * grows (most tasks finished, a few new and processing), not whatever the tests before left.
   */
  public static void realisticTable() {
    TestDatabase.reset();
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, result)"
            + " SELECT 't' || g, CASE WHEN g % 100 = 0 THEN 'new' WHEN g % 100 = 1 THEN 'processing'"
            + " WHEN g % 2 = 0 THEN 'done' ELSE 'failed' END,"
            + " CASE WHEN g % 100 < 2 THEN NULL WHEN g % 2 = 0 THEN 'success' ELSE 'error' END"
            + " FROM generate_series(1, 20000) AS g");
    TestDatabase.execute("ANALYZE tasks");
  }

  /** Leaves the table empty for the tests that follow. */
  public static void emptyTable() {
    TestDatabase.reset();
  }

  /** The generic plan of {@code sql} (with {@code $n} placeholders of {@code types}). */
  public static String plan(String sql, String types, String args) {
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

  public static void assertIndexed(String sql, String types, String args) {
    String plan = plan(sql, types, args);
    assertThat(plan).as(sql).doesNotContain("Seq Scan");
  }
}
