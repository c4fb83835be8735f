package io.taskservice.worker;

import io.taskservice.config.Durations;
import io.taskservice.db.TaskRetention;
import io.vertx.core.Future;
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
  private long timer = -1;
  private boolean stopped;
  private boolean failing;
  private long deleted;
  private long passStarted;

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
    timer = vertx.setTimer(1, t -> pass());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void pass() {
    deleted = 0;
    passStarted = System.nanoTime();
    batch();
  }

  private void batch() {
    retention
        .prune(keep, TaskRetention.MAX_BATCH)
        .onSuccess(
            n -> {
              failing = false;
              if (n > 0) {
                deleted += n;
                pruned.accept(n);
              }
              if (n >= TaskRetention.MAX_BATCH && !stopped) {
                // more may be expired: the next batch at once, through the event loop
                context.runOnContext(v -> batch());
              } else {
                passDone();
              }
            })
        .onFailure(
            e -> {
              if (!failing) {
                failing = true;
                log.warn("Retention pass failed, retrying at the next one: {}", e.toString());
              }
              passDone();
            });
  }

  private void passDone() {
    if (deleted > 0) {
      log.info(
          "Retention: deleted {} finished tasks in {} ms",
          deleted,
          (System.nanoTime() - passStarted) / 1_000_000);
    }
    if (!stopped) {
      timer = vertx.setTimer(intervalMs, t -> pass());
    }
  }
}
