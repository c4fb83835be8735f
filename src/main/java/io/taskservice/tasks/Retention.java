package io.taskservice.tasks;

import io.taskservice.config.Durations;
import io.taskservice.housekeeping.Chore;
import io.vertx.core.Future;
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
public final class Retention {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  private final TaskRetention retention;
  private final Duration keep;
  private final IntConsumer pruned;

  /**
   * @param pruned told how many tasks each batch deleted (the metrics)
   */
  public Retention(TaskRetention retention, Duration keep, IntConsumer pruned) {
    this.retention = retention;
    this.keep = keep;
    this.pruned = pruned;
  }

  /** How often a pass runs: a tenth of the retention, within 1 s and 60 s. */
  static Duration interval(Duration keep) {
    Duration tenth = keep.dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1)
        : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
  }

  /** The passes as periodic work. */
  public Chore passes() {
    Duration interval = interval(keep);
    log.info(
        "Retention: finished tasks last changed more than {} ago are deleted (a pass every {})",
        Durations.format(keep),
        Durations.format(interval));
    return Chore.every("Retention pass", interval.toMillis(), this::pass);
  }

  /** One pass: batches one after the other while they come back full. */
  private Future<?> pass() {
    long started = System.nanoTime();
    return batches(0)
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

  private Future<Long> batches(long deletedSoFar) {
    return retention
        .prune(keep, TaskRetention.MAX_BATCH)
        .compose(
            n -> {
              if (n > 0) {
                pruned.accept(n);
              }
              // more may be expired: the next batch at once
              return n >= TaskRetention.MAX_BATCH
                  ? batches(deletedSoFar + n)
                  : Future.succeededFuture(deletedSoFar + n);
            });
  }
}
