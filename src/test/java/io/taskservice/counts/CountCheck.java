package io.taskservice.counts;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/** {@code count(*)} per status next to the counts of {@code task_counts}, in one snapshot. */
public final class CountCheck {
  // one statement, so both sides are read in the same snapshot (and under both tables' locks: a
  // TRUNCATE cannot slip in between the two reads)
  public static final String COMPARE =
      "SELECT s.status,"
          + " (SELECT count(*) FROM tasks t WHERE t.status = s.status) AS stored,"
          + " (SELECT coalesce(sum(n), 0) FROM task_counts c WHERE c.status = s.status) AS counted"
          + " FROM (VALUES ('new'), ('processing'), ('done'), ('failed')) AS s(status)";

  /** A status's rows in {@code tasks} and its count in {@code task_counts}. */
  public record Pair(long stored, long counted) {
    boolean exact() {
      return stored == counted;
    }
  }

  private CountCheck() {}

  public static Map<String, Pair> compare() {
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(COMPARE)) {
      Map<String, Pair> pairs = new TreeMap<>();
      while (rows.next()) {
        pairs.put(rows.getString(1), new Pair(rows.getLong(2), rows.getLong(3)));
      }
      return pairs;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static boolean exact(Map<String, Pair> pairs) {
    return pairs.values().stream().allMatch(Pair::exact);
  }

  public static void assertExact() {
    Map<String, Pair> pairs = compare();
    assertThat(exact(pairs)).as("count(*) vs task_counts per status: %s", pairs).isTrue();
  }

  /** The rows of {@code task_counts} (not folded away yet). */
  public static long rows() {
    return TestDatabase.count("SELECT count(*) FROM task_counts");
  }
}
