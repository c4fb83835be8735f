package io.taskservice.ops;

import io.taskservice.db.TaskCounts;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the exact counts cheap and in sight: every second it folds the rows the triggers appended
 * to {@code task_counts} (so that a count stays a sum of a few rows) and hands the counts per
 * status to the metrics. Every node runs one; folds of several nodes at once are safe (see {@link
 * TaskCounts#fold()}).
 */
public final class CountsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(CountsVerticle.class);
  static final long INTERVAL_MS = 1000;

  private final TaskCounts counts;
  private final Consumer<Map<TaskStatus, Long>> published;
  private Rounds rounds;

  public CountsVerticle(TaskCounts counts, Consumer<Map<TaskStatus, Long>> published) {
    this.counts = counts;
    this.published = published;
  }

  @Override
  public Future<?> start() {
    rounds =
        new Rounds(vertx, log, "Folding the task counts", this::fold, INTERVAL_MS, INTERVAL_MS);
    rounds.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    rounds.stop();
    return Future.succeededFuture();
  }

  private Future<?> fold() {
    return counts.fold().compose(folded -> counts.all()).onSuccess(published::accept);
  }
}
