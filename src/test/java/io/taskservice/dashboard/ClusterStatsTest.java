package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.counts.TaskCounts;
import io.taskservice.db.Database;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The figures every viewer of a node shares, read from the real database. */
class ClusterStatsTest {
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void start() {
    TestDatabase.reset();
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void tenViewersCostTheDatabaseOneReadOfEach() throws Exception {
    TestDatabase.execute(
        "INSERT INTO tasks (title, status, claimed_by) VALUES ('a', 'processing', 'worker-1'),"
            + " ('b', 'done', NULL), ('c', 'done', NULL)");
    AtomicLong nanoTime = new AtomicLong();
    ClusterStats stats =
        new ClusterStats(
            new TaskCounts(pool, 5000)::byQueue,
            new WorkerLoads(pool, 5000),
            Clock.systemUTC(),
            nanoTime::get);
    List<Future<ClusterStats.Stats>> viewers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      viewers.add(stats.read());
    }
    Future.all(viewers).await(10, TimeUnit.SECONDS);
    // ten more within the second: from memory
    nanoTime.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterStats.REFRESH_MS - 1));
    for (int i = 0; i < 10; i++) {
      viewers.add(stats.read());
    }
    Future.all(viewers).await(10, TimeUnit.SECONDS);

    // one read of the counts, one of the workers
    assertThat(stats.databaseReads()).isEqualTo(2);
    // a second later, the next viewer reads them again
    nanoTime.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    stats.read().await(10, TimeUnit.SECONDS);
    assertThat(stats.databaseReads()).isEqualTo(4);
    for (Future<ClusterStats.Stats> viewer : viewers) {
      assertThat(viewer.result().counts().orElseThrow())
          .containsEntry(TaskStatus.DONE, 2L)
          .containsEntry(TaskStatus.PROCESSING, 1L)
          .containsEntry(TaskStatus.NEW, 0L);
      assertThat(viewer.result().workers()).containsExactly(new WorkerLoads.Load("worker-1", 1));
    }
  }

  @Test
  void changesFromTheFeedMakeTheSeries() throws Exception {
    Instant now = Instant.now();
    ClusterStats stats = new ClusterStats(null, new WorkerLoads(pool, 5000), Clock.systemUTC());
    OffsetDateTime created = now.minusSeconds(4).atOffset(ZoneOffset.UTC);
    OffsetDateTime finished = now.minusSeconds(1).atOffset(ZoneOffset.UTC);

    stats.changed(new Task(1, "a", TaskStatus.NEW, null, "default", 0, null, created, created));
    stats.changed(
        new Task(
            1,
            "a",
            TaskStatus.DONE,
            io.taskservice.domain.TaskResult.SUCCESS,
            "default",
            0,
            null,
            created,
            finished));

    TaskActivity.Snapshot activity = stats.read().await(10, TimeUnit.SECONDS).activity();
    assertThat(activity.completions()).isEqualTo(1);
    assertThat(activity.p50().toMillis()).isBetween(2900L, 3100L);
  }
}
