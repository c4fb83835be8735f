package io.taskservice.counts;

import static io.taskservice.Plans.assertIndexed;

import io.taskservice.Plans;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Counts and their fold read the counts through its index, whatever the number of tasks. */
class CountPlansTest {
  @BeforeAll
  static void realisticTable() {
    Plans.realisticTable();
  }

  @AfterAll
  static void emptyTable() {
    Plans.emptyTable();
  }

  @Test
  void countsAndTheirFoldReadTheCountsThroughItsIndex() {
    assertIndexed(TaskCounts.COUNT_ALL, "", "");
    assertIndexed(TaskCounts.COUNT_BY_STATUS, "text", "'done'");
    assertIndexed(TaskCounts.ALL, "", "");
    assertIndexed(TaskCounts.FOLD, "", "");
  }
}
