package io.taskservice.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.taskservice.db.WorkerLoads;
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
  void tenViewersCostTheDatabaseOneRead() throws Exception {
    ClusterStats stats = new ClusterStats(null, new WorkerLoads(pool, 5000), Clock.systemUTC());
    List<Future<ClusterStats.Stats>> viewers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      viewers.add(stats.read());
    }
    Future.all(viewers).await(10, TimeUnit.SECONDS);
    // and again at once: still fresh, from memory
    for (int i = 0; i < 10; i++) {
      stats.read().await(10, TimeUnit.SECONDS);
    }

    assertThat(stats.databaseReads()).isEqualTo(1);
  }

  @Test
  void countsAreReadFromTheirSourceOncePerRefresh() throws Exception {
    List<Integer> reads = new ArrayList<>();
    ClusterStats stats =
        new ClusterStats(
            () -> {
              reads.add(1);
              return Future.succeededFuture(Map.of(TaskStatus.DONE, 7L));
            },
            new WorkerLoads(pool, 5000),
            Clock.systemUTC());

    ClusterStats.Stats first = stats.read().await(10, TimeUnit.SECONDS);
    stats.read().await(10, TimeUnit.SECONDS);

    assertThat(first.counts()).contains(Map.of(TaskStatus.DONE, 7L));
    assertThat(reads).hasSize(1);
  }

  @Test
  void changesFromTheFeedMakeTheSeries() throws Exception {
    Instant now = Instant.now();
    ClusterStats stats = new ClusterStats(null, new WorkerLoads(pool, 5000), Clock.systemUTC());
    OffsetDateTime created = now.minusSeconds(4).atOffset(ZoneOffset.UTC);
    OffsetDateTime finished = now.minusSeconds(1).atOffset(ZoneOffset.UTC);

    stats.changed(new Task(1, "a", TaskStatus.NEW, null, created, created));
    stats.changed(
        new Task(
            1, "a", TaskStatus.DONE, io.taskservice.domain.TaskResult.SUCCESS, created, finished));

    TaskActivity.Snapshot activity = stats.read().await(10, TimeUnit.SECONDS).activity();
    assertThat(activity.completions()).isEqualTo(1);
    assertThat(activity.p50().toMillis()).isBetween(2900L, 3100L);
  }
}
