package io.taskservice.counts;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.TaskStatus;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import io.taskservice.tasks.TaskRetention;
import io.taskservice.worker.Claiming;
import io.taskservice.worker.TaskClaims;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The counts are exact while everything that changes tasks runs at once: group-committed inserts,
 * claims, completions, recoveries of lost and abandoned tasks, retention on two nodes, several
 * folders, and an operator's hand-typed SQL (deletes, updates, imports, rolled-back changes, {@code
 * TRUNCATE tasks CASCADE}). Checked throughout in single snapshots against {@code count(*)} per
 * status, and at the end.
 */
class ExactCountsTest extends PoolTest {
  private static final long LEASE_MS = 200;
  // new tasks a sweep finds are counted as recovered once they waited this long
  private static final long GRACE_MS = 0;

  /**
   * Hand-typed SQL an operator might run; one at a time, in this order, round and round (the
   * TRUNCATE every fourth round).
   */
  private static final List<String> OPERATOR_SQL =
      List.of(
          "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE status IN ('done', 'failed')"
              + " ORDER BY id LIMIT 30)",
          "UPDATE tasks SET status = 'new', claim_token = NULL, lease_until = NULL WHERE id IN"
              + " (SELECT id FROM tasks WHERE status = 'processing' ORDER BY id DESC LIMIT 5)",
          "INSERT INTO tasks (title, status, result)"
              + " SELECT 'import ' || g, 'done', 'success' FROM generate_series(1, 40) AS g",
          "UPDATE tasks SET status = 'failed', result = 'error' WHERE id IN"
              + " (SELECT id FROM tasks WHERE status = 'new' ORDER BY id LIMIT 7)",
          "UPDATE tasks SET title = title || '.' WHERE id IN"
              + " (SELECT id FROM tasks ORDER BY id DESC LIMIT 20)",
          "DELETE FROM tasks WHERE id % 13 = 0",
          "BEGIN; DELETE FROM tasks WHERE status = 'new'; ROLLBACK",
          "TRUNCATE tasks CASCADE");

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Future<Void>> actors = new ArrayList<>();
  private final Map<String, LongAdder> done = new ConcurrentHashMap<>();

  private void did(String what, long n) {
    done.computeIfAbsent(what, k -> new LongAdder()).add(n);
  }

  private long done(String what) {
    LongAdder n = done.get(what);
    return n == null ? 0 : n.sum();
  }

  @Test
  void countsStayExactWhileEveryKindOfWriterRunsAtOnce() throws Exception {
    TaskRepository repository = new TaskRepository(pool, 5000);
    actor(
        () ->
            Future.all(
                    IntStream.range(0, 20)
                        .mapToObj(i -> repository.create(NewTask.of("t" + i)))
                        .toList())
                .onSuccess(all -> did("created", all.size())));
    for (int w = 0; w < 2; w++) {
      TaskClaims worker =
          new TaskClaims(pool, 5000, "w" + w, LEASE_MS, GRACE_MS, new TitleParityPolicy());
      actor(() -> claimAndMaybeComplete(worker));
    }
    TaskClaims sweeper =
        new TaskClaims(pool, 5000, "sweeper", LEASE_MS, GRACE_MS, new TitleParityPolicy());
    actor(
        () ->
            Claiming.sweep(sweeper, 50)
                .compose(
                    swept -> {
                      List<Claim> recovered =
                          swept.stream().filter(c -> c.reason() != ClaimReason.MESSAGE).toList();
                      did("recovered", recovered.size());
                      // half of them are finished, the rest abandoned again
                      return Future.all(
                          recovered.stream()
                              .filter(c -> c.taskId() % 2 == 0)
                              .map(c -> complete(sweeper, c))
                              .toList());
                    }));
    for (int r = 0; r < 2; r++) {
      // retention on two nodes: finished tasks go a moment after their last change
      TaskRetention retention = new TaskRetention(pool, 5000);
      actor(() -> retention.prune(Duration.ofMillis(100), 40).onSuccess(n -> did("pruned", n)));
    }
    for (int f = 0; f < 3; f++) {
      TaskCounts counts = new TaskCounts(pool, 5000);
      actor(() -> counts.fold().onSuccess(n -> did("folded", n)));
    }
    Thread operator = new Thread(this::typeSqlByHand, "operator");
    operator.start();

    List<Map<String, CountCheck.Pair>> wrong = new ArrayList<>();
    Await.until(
        "every writer did enough, checked all along",
        Duration.ofSeconds(120),
        () -> {
          Map<String, CountCheck.Pair> pairs = CountCheck.compare();
          did("checks", 1);
          if (!CountCheck.exact(pairs)) {
            wrong.add(pairs);
          }
          return Map.copyOf(done);
        },
        seen ->
            done("created") >= 3000
                && done("claimed") >= 300
                && done("completed") >= 150
                && done("recovered") >= 100
                && done("pruned") >= 100
                && done("folded") >= 100
                && done("truncated") >= 3
                && done("operator statements") >= 40
                && done("checks") >= 50);
    running.set(false);
    operator.join();
    Future.all(actors).await(30, TimeUnit.SECONDS);

    assertThat(wrong).as("snapshots where the counts differed from count(*)").isEmpty();
    CountCheck.assertExact();
    Map<TaskStatus, Long> counted = onContext(() -> new TaskCounts(pool, 5000).all());
    for (TaskStatus status : TaskStatus.values()) {
      assertThat(counted.get(status))
          .as("%s", status)
          .isEqualTo(
              TestDatabase.count(
                  "SELECT count(*) FROM tasks WHERE status = '" + status.wire() + "'"));
    }
  }

  private Future<?> claimAndMaybeComplete(TaskClaims worker) {
    int room = 1 + ThreadLocalRandom.current().nextInt(5);
    return worker
        .claim(Claiming.DEFAULT, room, false)
        .compose(
            claimed -> {
              did("claimed", claimed.claimed().size());
              // two in three are finished; the others are abandoned, for the sweep to recover
              return Future.all(
                  claimed.claimed().stream()
                      .filter(c -> ThreadLocalRandom.current().nextInt(3) < 2)
                      .map(c -> complete(worker, c))
                      .toList());
            });
  }

  private Future<Optional<io.taskservice.domain.Completion>> complete(
      TaskClaims worker, Claim claim) {
    return worker.completeProcessing(claim).onSuccess(c -> c.ifPresent(x -> did("completed", 1)));
  }

  /** Runs {@code step} over and over on a Vert.x context of its own until the test stops it. */
  private void actor(Supplier<Future<?>> step) {
    Promise<Void> stopped = Promise.promise();
    actors.add(stopped.future());
    vertx.getOrCreateContext().runOnContext(v -> repeat(step, stopped));
  }

  private void repeat(Supplier<Future<?>> step, Promise<Void> stopped) {
    if (!running.get()) {
      stopped.complete();
      return;
    }
    step.get()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                did("failed calls", 1); // deadlocks with the operator's SQL: rolled back
              }
              // via the event loop, not recursion: a step may complete at once
              vertx.getOrCreateContext().runOnContext(v -> repeat(step, stopped));
            });
  }

  private void typeSqlByHand() {
    int next = 0;
    try (Connection c = TestDatabase.connect();
        Statement s = c.createStatement()) {
      while (running.get()) {
        String sql = OPERATOR_SQL.get(next++ % OPERATOR_SQL.size());
        if (sql.startsWith("TRUNCATE") && next % (4 * OPERATOR_SQL.size()) != 0) {
          continue; // one round in four: the others let tasks grow old enough for retention
        }
        try {
          if (sql.startsWith("BEGIN")) {
            c.setAutoCommit(false);
            s.execute(sql.substring("BEGIN; ".length(), sql.indexOf("; ROLLBACK")));
            c.rollback();
            c.setAutoCommit(true);
          } else {
            s.execute(sql);
          }
          did(sql.startsWith("TRUNCATE") ? "truncated" : "operator statements", 1);
        } catch (SQLException e) {
          did("failed operator statements", 1); // a deadlock with a claim: rolled back
          if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
