package io.taskservice.worker;

import io.taskservice.domain.Claim;
import io.taskservice.domain.NewTask;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Claims as a worker takes them, for tests: the next task of a queue (a wake-up's claim of one
 * task), or a sweep's, which also takes over expired leases.
 */
public final class Claiming {
  public static final String DEFAULT = NewTask.DEFAULT_QUEUE;

  private Claiming() {}

  /** The next due task of the default queue, as a wake-up with room for one claims it. */
  public static Future<Optional<Claim>> next(TaskClaims claims) {
    return next(claims, DEFAULT);
  }

  /** The next due task of {@code queue}, as a wake-up with room for one claims it. */
  public static Future<Optional<Claim>> next(TaskClaims claims, String queue) {
    return claims.claim(queue, 1, false).map(claimed -> claimed.claimed().stream().findFirst());
  }

  /** A sweep of the default queue with {@code room}: due tasks, and expired leases taken over. */
  public static Future<List<Claim>> sweep(TaskClaims claims, int room) {
    return claims.claim(DEFAULT, room, true).map(TaskClaims.Claimed::claimed);
  }
}
