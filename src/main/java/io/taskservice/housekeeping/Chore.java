package io.taskservice.housekeeping;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A piece of periodic work a feature hands to {@link Housekeeping}: what it is called in the log,
 * one round of it, and the pauses between rounds.
 *
 * @param what the job, for the log lines ("Folding the task counts")
 * @param round one round; its future completes when the round is over
 * @param pauseMs between the end of a round and the start of the next
 * @param pauseAfterFailureMs the same after a failed round
 */
public record Chore(
    String what, Supplier<Future<?>> round, long pauseMs, long pauseAfterFailureMs) {
  /** The same pause after success and failure. */
  public static Chore every(String what, long pauseMs, Supplier<Future<?>> round) {
    return new Chore(what, round, pauseMs, pauseMs);
  }
}
