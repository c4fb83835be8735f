package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.taskservice.domain.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskActivityTest {
  private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
  private final TaskActivity activity = new TaskActivity(START);
  private long nextId = 1;

  /** A task created at {@code created}, final {@code took} later; both changes recorded. */
  private void task(Instant created, Duration took, Instant now) {
    long id = nextId++;
    activity.record(id, TaskStatus.NEW, created, created, now);
    activity.record(id, TaskStatus.PROCESSING, created, created.plusMillis(5), now);
    activity.record(id, TaskStatus.DONE, created, created.plus(took), now);
  }

  @Test
  void createdAndFinishedLandInTheSecondOfTheirChange() {
    Instant now = START.plusSeconds(100);
    task(START.plusSeconds(90), Duration.ofSeconds(3), now);
    task(START.plusSeconds(90).plusMillis(500), Duration.ofSeconds(3), now);

    TaskActivity.Snapshot s = activity.snapshot(now);

    assertThat(s.end()).isEqualTo(now);
    assertThat(s.created()).hasSize(TaskActivity.SERIES_SECONDS);
    int second90 = TaskActivity.SERIES_SECONDS - 1 - 10;
    assertThat(s.created()[second90]).isEqualTo(2);
    assertThat(s.finished()[second90 + 3]).isEqualTo(2);
    assertThat(sum(s.created())).isEqualTo(2);
    assertThat(sum(s.finished())).isEqualTo(2);
  }

  @Test
  void theSeriesForgetsWhatIsOlderThanFifteenMinutes() {
    task(START, Duration.ofSeconds(3), START.plusSeconds(3));

    assertThat(sum(activity.snapshot(START.plusSeconds(899)).created())).isEqualTo(1);
    assertThat(sum(activity.snapshot(START.plusSeconds(900)).created())).isZero();
    // and a slot reused by a later second starts from zero
    task(START.plusSeconds(900), Duration.ofSeconds(1), START.plusSeconds(901));
    assertThat(sum(activity.snapshot(START.plusSeconds(901)).created())).isEqualTo(1);
  }

  @Test
  void percentilesOfTheLastFiveMinutes() {
    Instant now = START.plusSeconds(400);
    // 100 tasks: 1 s, 2 s, ... 100 s from creation to final status, all finished recently
    for (int i = 1; i <= 100; i++) {
      Instant created = now.minusSeconds(120 + i);
      task(created, Duration.ofSeconds(i), now);
    }
    // finished six minutes ago: outside the window
    task(now.minusSeconds(400), Duration.ofSeconds(40), now);

    TaskActivity.Snapshot s = activity.snapshot(now);

    assertThat(s.completions()).isEqualTo(100);
    assertThat(s.p50().toMillis()).isCloseTo(50_000, within(1_300L));
    assertThat(s.p95().toMillis()).isCloseTo(95_000, within(2_400L));
  }

  @Test
  void cancelledTasksAreNeitherFinishedNorTimed() {
    Instant now = START.plusSeconds(100);
    task(START.plusSeconds(10), Duration.ofSeconds(2), now);
    // one cancelled while waiting, one while a worker held it: both are final, neither finished
    activity.record(50, TaskStatus.NEW, START.plusSeconds(20), START.plusSeconds(20), now);
    activity.record(50, TaskStatus.CANCELLED, START.plusSeconds(20), START.plusSeconds(80), now);
    activity.record(51, TaskStatus.NEW, START.plusSeconds(30), START.plusSeconds(30), now);
    activity.record(51, TaskStatus.PROCESSING, START.plusSeconds(30), START.plusSeconds(31), now);
    activity.record(51, TaskStatus.CANCELLED, START.plusSeconds(30), START.plusSeconds(90), now);

    TaskActivity.Snapshot s = activity.snapshot(now);

    assertThat(sum(s.created())).isEqualTo(3);
    assertThat(sum(s.finished())).isEqualTo(1);
    assertThat(s.completions()).isEqualTo(1);
    assertThat(s.p95().toMillis()).isCloseTo(2_000, within(50L));
  }

  @Test
  void withoutFinishedTasksThereAreNoPercentiles() {
    Instant now = START.plusSeconds(10);
    activity.record(1, TaskStatus.NEW, START, START, now);

    TaskActivity.Snapshot s = activity.snapshot(now);

    assertThat(s.completions()).isZero();
    assertThat(s.p50()).isNull();
    assertThat(s.p95()).isNull();
    assertThat(s.since()).isEqualTo(START);
  }

  @Test
  void aChangeDeliveredTwiceCountsOnce() {
    Instant now = START.plusSeconds(10);
    task(START.plusSeconds(1), Duration.ofSeconds(3), now);
    nextId--;
    task(START.plusSeconds(1), Duration.ofSeconds(3), now);

    TaskActivity.Snapshot s = activity.snapshot(now);
    assertThat(sum(s.created())).isEqualTo(1);
    assertThat(sum(s.finished())).isEqualTo(1);
    assertThat(s.completions()).isEqualTo(1);
  }

  @Test
  void anIdReusedByAnotherTaskCountsAgain() {
    Instant now = START.plusSeconds(20);
    task(START.plusSeconds(1), Duration.ofSeconds(2), now);
    // the table was emptied and its ids restarted: task 1 is another task, created later
    nextId--;
    task(START.plusSeconds(10), Duration.ofSeconds(4), now);

    TaskActivity.Snapshot s = activity.snapshot(now);
    assertThat(sum(s.created())).isEqualTo(2);
    assertThat(sum(s.finished())).isEqualTo(2);
    assertThat(s.completions()).isEqualTo(2);
  }

  @Test
  void aChangeStampedAheadOfThisNodesClockCountsNow() {
    Instant now = START.plusSeconds(10);
    activity.record(1, TaskStatus.NEW, now.plusSeconds(2), now.plusSeconds(2), now);

    long[] created = activity.snapshot(now).created();
    assertThat(created[created.length - 1]).isEqualTo(1);
  }

  @Test
  void bucketsResolveWithinTwoAndAHalfPercent() {
    for (long ms : new long[] {1, 7, 250, 3_000, 3_017, 65_000, 3_600_000}) {
      Duration d = Duration.ofMillis(ms);
      Duration shown = TaskActivity.representative(TaskActivity.bucket(d));
      assertThat((double) shown.toNanos()).isCloseTo(d.toNanos(), within(d.toNanos() * 0.025));
    }
    assertThat(TaskActivity.representative(TaskActivity.bucket(Duration.ofNanos(10))))
        .isEqualTo(Duration.ZERO);
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }
}
