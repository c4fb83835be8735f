package io.taskservice.counts;

import static io.taskservice.Plans.assertIndexed;

import io.taskservice.Plans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Counts and their fold read the counts through its index, whatever the number of tasks. */
class CountPlansTest {
  @RegisterExtension static final Plans PLANS = new Plans();

  @Test
  void countsAndTheirFoldReadTheCountsThroughItsIndex() {
    assertIndexed(TaskCounts.COUNT_ALL, "", "");
    assertIndexed(TaskCounts.COUNT_BY_STATUS, "text", "'done'");
    assertIndexed(TaskCounts.ALL, "", "");
    assertIndexed(TaskCounts.FOLD, "", "");
  }
}
