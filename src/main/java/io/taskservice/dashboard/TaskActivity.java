package io.taskservice.dashboard;

import io.taskservice.domain.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cluster did lately, built from its stream of task changes: tasks created and finished
 * per second over the last 15 minutes, and the time from creation to the final status (p50/p95)
 * over the last 5 minutes. Fixed memory whatever the rate: one slot per second for the counts, one
 * log-scale histogram per 10 seconds for the durations. Changes are placed by their own timestamp
 * ({@code updated_at}, the database's clock), so a change replayed late still lands in its second.
 * Thread-safe.
 */
public final class TaskActivity {
  /** Length of the throughput series, in one-second steps. */
  public static final int SERIES_SECONDS = 900;

  /** Window of the completion-time percentiles. */
  public static final int COMPLETION_WINDOW_SECONDS = 300;

  private static final int SLICE_SECONDS = 10;
  private static final int SLICES = COMPLETION_WINDOW_SECONDS / SLICE_SECONDS;
  // bucket i holds durations in [GROWTH^(i-1), GROWTH^i) ms, bucket 0 those under 1 ms: a value is
  // reported within 2.5 % of the truth; 400 buckets reach beyond a week
  private static final double GROWTH = 1.05;
  private static final int BUCKETS = 400;
  // a change may arrive twice around a resume of the change feed; the last few thousand changes
  // are remembered to count it once. A task is known by its id and its creation time: an id alone
  // may come back for another task once the table is emptied and its sequence restarted
  private static final int REMEMBERED = 8192;

  private final long[] seriesSecond = new long[SERIES_SECONDS];
  private final long[] created = new long[SERIES_SECONDS];
  private final long[] finished = new long[SERIES_SECONDS];
  private final long[] sliceStart = new long[SLICES];
  private final long[][] durations = new long[SLICES][BUCKETS];
  // the changes remembered, oldest first: one hash look-up per change
  private final Map<Change, Boolean> seen =
      new LinkedHashMap<>(REMEMBERED * 2) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Change, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      };
  private final Instant since;

  /**
   * @param since when this node began to follow the changes: nothing before is known
   */
  public TaskActivity(Instant since) {
    this.since = since;
    Arrays.fill(seriesSecond, Long.MIN_VALUE);
    Arrays.fill(sliceStart, Long.MIN_VALUE);
  }

  /**
   * Records one change: a task reached {@code status} at {@code updatedAt}. {@code new} counts as
   * created; {@code done} and {@code failed} as finished, with the time since {@code createdAt}. A
   * cancel is final too, but neither a finish nor a completion time: it is not counted.
   */
  public synchronized void record(
      long taskId, TaskStatus status, Instant createdAt, Instant updatedAt, Instant now) {
    if (status == TaskStatus.PROCESSING
        || status == TaskStatus.CANCELLED
        || !firstTime(new Change(taskId, createdAt, status))) {
      return;
    }
    long second = Math.min(updatedAt.getEpochSecond(), now.getEpochSecond());
    if (second <= now.getEpochSecond() - SERIES_SECONDS) {
      return;
    }
    int slot = (int) Math.floorMod(second, (long) SERIES_SECONDS);
    if (seriesSecond[slot] != second) {
      if (seriesSecond[slot] > second) {
        return;
      }
      seriesSecond[slot] = second;
      created[slot] = 0;
      finished[slot] = 0;
    }
    if (status == TaskStatus.NEW) {
      created[slot]++;
      return;
    }
    finished[slot]++;
    long start = second - Math.floorMod(second, (long) SLICE_SECONDS);
    if (start <= now.getEpochSecond() - COMPLETION_WINDOW_SECONDS) {
      return;
    }
    int slice = (int) Math.floorMod(start / SLICE_SECONDS, (long) SLICES);
    if (sliceStart[slice] != start) {
      if (sliceStart[slice] > start) {
        return;
      }
      sliceStart[slice] = start;
      Arrays.fill(durations[slice], 0);
    }
    durations[slice][bucket(Duration.between(createdAt, updatedAt))]++;
  }

  private boolean firstTime(Change change) {
    return seen.putIfAbsent(change, Boolean.TRUE) == null;
  }

  /** One task reaching one status; the same task is the same id created at the same time. */
  private record Change(long taskId, Instant createdAt, TaskStatus status) {}

  /** The series ending with the second of {@code now}, and the percentiles of the window. */
  public synchronized Snapshot snapshot(Instant now) {
    long end = now.getEpochSecond();
    long[] createdSeries = new long[SERIES_SECONDS];
    long[] finishedSeries = new long[SERIES_SECONDS];
    for (int i = 0; i < SERIES_SECONDS; i++) {
      long second = end - SERIES_SECONDS + 1 + i;
      int slot = (int) Math.floorMod(second, (long) SERIES_SECONDS);
      if (seriesSecond[slot] == second) {
        createdSeries[i] = created[slot];
        finishedSeries[i] = finished[slot];
      }
    }
    long[] merged = new long[BUCKETS];
    long count = 0;
    for (int s = 0; s < SLICES; s++) {
      if (sliceStart[s] > end - COMPLETION_WINDOW_SECONDS && sliceStart[s] <= end) {
        for (int b = 0; b < BUCKETS; b++) {
          merged[b] += durations[s][b];
          count += durations[s][b];
        }
      }
    }
    return new Snapshot(
        Instant.ofEpochSecond(end),
        createdSeries,
        finishedSeries,
        count,
        percentile(merged, count, 0.50),
        percentile(merged, count, 0.95),
        since);
  }

  static int bucket(Duration duration) {
    double ms = duration.toNanos() / 1e6;
    if (ms < 1) {
      return 0;
    }
    return (int) Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms) / Math.log(GROWTH)));
  }

  /** The middle (geometric) of bucket {@code b}. */
  static Duration representative(int b) {
    if (b == 0) {
      return Duration.ZERO;
    }
    double ms = Math.pow(GROWTH, b - 0.5);
    return Duration.ofNanos((long) (ms * 1e6));
  }

  /** The nearest-rank percentile; null without data. */
  private static Duration percentile(long[] histogram, long count, double q) {
    if (count == 0) {
      return null;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seenSoFar = 0;
    for (int b = 0; b < histogram.length; b++) {
      seenSoFar += histogram[b];
      if (seenSoFar >= rank) {
        return representative(b);
      }
    }
    return representative(histogram.length - 1);
  }

  /**
   * @param end the second of the last element of the series (they are one second apart)
   * @param created tasks created in each second, oldest first
   * @param finished tasks that became final in each second, oldest first
   * @param completions tasks finished in the percentiles' window
   * @param p50 median time from creation to final status in the window, null without data
   * @param p95 95th percentile of it, null without data
   * @param since when this node began to follow changes; the series knows nothing before
   */
  public record Snapshot(
      Instant end,
      long[] created,
      long[] finished,
      long completions,
      Duration p50,
      Duration p95,
      Instant since) {}
}
