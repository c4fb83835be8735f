package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentChangesTest {
  private record Change(long id, long created, int status) {}

  /** What RecentChanges must answer: an insertion-ordered map of the last {@code capacity}. */
  private static final class Model {
    private final Map<Change, Boolean> seen;

    Model(int capacity) {
      seen =
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Change, Boolean> eldest) {
              return size() > capacity;
            }
          };
    }

    boolean add(Change c) {
      return seen.putIfAbsent(c, Boolean.TRUE) == null;
    }
  }

  @Test
  void answersAsAMapOfTheLastChangesWouldThroughManyEvictions() {
    for (int capacity : List.of(1, 2, 7, 16, 100, 8192)) {
      Random random = new Random(capacity);
      RecentChanges recent = new RecentChanges(capacity);
      Model model = new Model(capacity);
      // few distinct changes, so that repeats, evictions and long probe runs all happen often
      int distinct = capacity * 2 + 3;
      for (int i = 0; i < 200_000; i++) {
        Change c = new Change(random.nextInt(distinct), random.nextInt(3) * 1_000L, i % 2);
        assertThat(recent.add(c.id(), c.created(), c.status()))
            .as("capacity %d, step %d: %s", capacity, i, c)
            .isEqualTo(model.add(c));
      }
    }
  }

  @Test
  void theSameTaskAtAnotherStatusOrCreationIsAnotherChange() {
    RecentChanges recent = new RecentChanges(8);
    assertThat(recent.add(1, 100, 0)).isTrue();
    assertThat(recent.add(1, 100, 0)).isFalse();
    assertThat(recent.add(1, 100, 2)).isTrue();
    assertThat(recent.add(1, 101, 0)).isTrue();
    assertThat(recent.add(2, 100, 0)).isTrue();
  }
}
