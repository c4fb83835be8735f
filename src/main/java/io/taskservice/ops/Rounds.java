package io.taskservice.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A job a verticle runs again and again in the background, one round at a time: the next round
 * starts a pause after the previous one ended, so rounds never overlap. A failing round is logged
 * once, and its recovery once, however long the failures last (an outage fails every round).
 * Confined to the verticle's context: create it in {@code start()}.
 */
public final class Rounds {
  private final Vertx vertx;
  private final Logger log;
  private final String what;
  private final Supplier<Future<?>> round;
  private final long pauseMs;
  private final long pauseAfterFailureMs;
  private long timer = -1;
  private boolean stopped;
  private boolean failing;

  /**
   * @param what the job, for the log lines ("Folding the task counts")
   * @param round one round; its future completes when the round is over
   * @param pauseMs between the end of a round and the start of the next
   * @param pauseAfterFailureMs the same after a failed round
   */
  public Rounds(
      Vertx vertx,
      Logger log,
      String what,
      Supplier<Future<?>> round,
      long pauseMs,
      long pauseAfterFailureMs) {
    this.vertx = vertx;
    this.log = log;
    this.what = what;
    this.round = round;
    this.pauseMs = pauseMs;
    this.pauseAfterFailureMs = pauseAfterFailureMs;
  }

  /** Runs the first round at once (on the next turn of the event loop). */
  public void start() {
    timer = vertx.setTimer(1, t -> run());
  }

  /** No round starts after this; one under way finishes. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void run() {
    round
        .get()
        .onComplete(
            done -> {
              if (done.failed() && !failing) {
                log.warn(
                    "{} failed ({}); trying again every {} ms",
                    what,
                    Failures.rootMessage(done.cause()),
                    pauseAfterFailureMs);
              } else if (done.succeeded() && failing) {
                log.info("{} works again", what);
              }
              failing = done.failed();
              if (!stopped) {
                timer = vertx.setTimer(failing ? pauseAfterFailureMs : pauseMs, t -> run());
              }
            });
  }
}
