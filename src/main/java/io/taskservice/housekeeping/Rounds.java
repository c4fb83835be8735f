package io.taskservice.housekeeping;

import io.taskservice.ops.Failures;
import io.vertx.core.Vertx;
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
  private final Chore chore;
  private long timer = -1;
  private boolean stopped;
  private boolean failing;

  public Rounds(Vertx vertx, Logger log, Chore chore) {
    this.vertx = vertx;
    this.log = log;
    this.chore = chore;
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
    chore
        .round()
        .get()
        .onComplete(
            done -> {
              if (done.failed() && !failing && !stopped) {
                log.warn(
                    "{} failed ({}); trying again every {} ms",
                    chore.what(),
                    Failures.rootMessage(done.cause()),
                    chore.pauseAfterFailureMs());
              } else if (done.succeeded() && failing) {
                log.info("{} works again", chore.what());
              }
              failing = done.failed();
              if (!stopped) {
                timer =
                    vertx.setTimer(
                        failing ? chore.pauseAfterFailureMs() : chore.pauseMs(), t -> run());
              }
            });
  }
}
