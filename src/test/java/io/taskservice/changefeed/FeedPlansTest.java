package io.taskservice.changefeed;

import static io.taskservice.Plans.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Plans;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The change feed reads recent history by transaction and each task by its key. */
class FeedPlansTest {
  @BeforeAll
  static void realisticTable() {
    Plans.realisticTable();
  }

  @AfterAll
  static void emptyTable() {
    Plans.emptyTable();
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
}
