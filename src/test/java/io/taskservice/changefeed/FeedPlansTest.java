package io.taskservice.changefeed;

import static io.taskservice.Plans.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Plans;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change feed reads recent history by transaction, in the rows of both tables behind the view
 * {@code task_history}, and each task by its key.
 */
class FeedPlansTest {
  @RegisterExtension static final Plans PLANS = new Plans();

  @Test
  void theFeedReadsALogRangeThenEachTransactionsHistoryAndEachTaskByItsKey() {
    for (String plan :
        List.of(
            plan(TaskHistory.READ, "bigint, bigint, int, bigint", "1000, 5, 1000, 1000"),
            plan(TaskHistory.READ, "bigint, bigint, int, bigint", "1000, 5, 10001, 1000000000"))) {
      assertThat(plan)
          .contains("task_feed_pkey")
          .contains("task_history_rows_xid_idx")
          .contains("task_history_old_xid_idx")
          .contains("tasks_pkey")
          .contains("task_feed_pruned_pos_idx")
          .doesNotContain("Seq Scan");
    }
  }

  @Test
  void theSequencerFindsNewCommitsByTransactionId() {
    assertThat(plan(Sequencer.LOG, "", ""))
        .contains("task_history_rows_xid_idx")
        .contains("task_history_old_xid_idx")
        .doesNotContain("Seq Scan on task_history");
  }
}
