package io.taskservice.tasks;

import static io.taskservice.Plans.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Plans;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention, cursor pages and status pages use their indexes, however large the table grows. */
class TaskPlansTest {
  @RegisterExtension static final Plans PLANS = new Plans();

  @Test
  void retentionFindsExpiredTasksThroughItsPartialIndex() {
    assertThat(plan(TaskRetention.PRUNE, "bigint, int", "3600000, 1000"))
        .contains("tasks_final_updated_idx")
        .doesNotContain("Seq Scan")
        .doesNotContain("Sort");
  }

  @Test
  void cursorPagesReadAnIndexRangeInOrder() {
    for (String sql :
        new String[] {
          TaskListSql.BELOW.sql(TaskFilter.ALL, "*"), TaskListSql.ABOVE.sql(TaskFilter.ALL, "*")
        }) {
      assertThat(plan(sql, "bigint, int, int", "100, 21, 0"))
          .as(sql)
          .contains("tasks_pkey")
          .doesNotContain("Seq Scan")
          .doesNotContain("Sort");
    }
    for (String sql :
        new String[] {
          TaskListSql.BELOW.sql(TaskFilter.status(TaskStatus.DONE), "*"),
          TaskListSql.ABOVE.sql(TaskFilter.status(TaskStatus.DONE), "*")
        }) {
      assertIdsFirst(plan(sql, "text, bigint, int, int", "'done', 100, 21, 0"), sql);
    }
    TaskFilter byQueue = new TaskFilter(Optional.empty(), Optional.of("reports"));
    for (String sql :
        new String[] {TaskListSql.BELOW.sql(byQueue, "*"), TaskListSql.ABOVE.sql(byQueue, "*")}) {
      // on a small table the primary key read backwards with the filter is as cheap; the queue
      // index's use at scale is what bench/list-scale.sh measures
      assertThat(plan(sql, "text, bigint, int, int", "'reports', 100, 21, 0"))
          .as(sql)
          .contains("Index Cond: (id = ANY")
          .containsAnyOf("tasks_queue_id_idx", "Filter: ((queue)::text = $1)")
          .doesNotContain("Join")
          .doesNotContain("Seq Scan");
    }
  }

  @Test
  void pagesWithAStatusReadTheirIdsFromTheStatusIndexThenEachRowByItsKey() {
    assertIdsFirst(
        plan(
            TaskListSql.PAGE.sql(TaskFilter.status(TaskStatus.NEW), "*"),
            "text, int, int",
            "'new', 20, 40"),
        "page");
    assertThat(plan(TaskListSql.PAGE.sql(TaskFilter.ALL, "*"), "int, int", "20, 40"))
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
}
