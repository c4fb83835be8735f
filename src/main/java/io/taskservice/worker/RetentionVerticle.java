package io.taskservice.worker;

import io.taskservice.config.Durations;
import io.taskservice.db.TaskRetention;
import io.taskservice.ops.Rounds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished tasks whose last change is older than {@code TASKS_RETENTION}: a pass every
 * tenth of the retention (at least every minute, at most every second), made of batches of at most
 * {@value TaskRetention#MAX_BATCH} tasks, each its own transaction, one after the other while they
 * come back full. Every worker node runs one; they share the work without overlap and without
 * waiting for each other (see {@link TaskRetention}).
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);

  private final TaskRetention retention;
  private final Duration keep;
  private final IntConsumer pruned;
  private final long intervalMs;
  private Rounds rounds;
  private boolean stopped;

  /**
   * @param pruned told how many tasks each batch deleted (the metrics)
   */
  public RetentionVerticle(TaskRetention retention, Duration keep, IntConsumer pruned) {
    this.retention = retention;
    this.keep = keep;
    this.pruned = pruned;
    this.intervalMs = interval(keep).toMillis();
  }

  /** How often a pass runs: a tenth of the retention, within 1 s and 60 s. */
  static Duration interval(Duration keep) {
    Duration tenth = keep.dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1)
        : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
  }

  @Override
  public Future<?> start() {
    log.info(
        "Retention: finished tasks last changed more than {} ago are deleted (a pass every {})",
        Durations.format(keep),
        Durations.format(Duration.ofMillis(intervalMs)));
    rounds = new Rounds(vertx, log, "Retention pass", this::pass, intervalMs, intervalMs);
    rounds.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    rounds.stop();
    return Future.succeededFuture();
  }

  /** One pass: batches one after the other while they come back full. */
  private Future<?> pass() {
    long started = System.nanoTime();
    Promise<Long> done = Promise.promise();
    batch(0, done);
    return done.future()
        .onSuccess(
            deleted -> {
              if (deleted > 0) {
                log.info(
                    "Retention: deleted {} finished tasks in {} ms",
                    deleted,
                    (System.nanoTime() - started) / 1_000_000);
              }
            });
  }

  private void batch(long deletedSoFar, Promise<Long> done) {
    retention
        .prune(keep, TaskRetention.MAX_BATCH)
        .onSuccess(
            n -> {
              if (n > 0) {
                pruned.accept(n);
              }
              if (n >= TaskRetention.MAX_BATCH && !stopped) {
                // more may be expired: the next batch at once, through the event loop
                context.runOnContext(v -> batch(deletedSoFar + n, done));
              } else {
                done.complete(deletedSoFar + n);
              }
            })
        .onFailure(done::fail);
  }
}
