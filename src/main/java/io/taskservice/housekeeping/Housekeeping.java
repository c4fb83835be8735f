package io.taskservice.housekeeping;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's background work, in one verticle: each {@link Chore} (the counts fold, retention, the
 * expiry of idempotency keys) runs in its own {@link Rounds}, one round at a time. The work itself
 * stays with its feature; this only schedules it.
 */
public final class Housekeeping extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

  private final List<Chore> chores;
  private final List<Rounds> running = new ArrayList<>();

  public Housekeeping(List<Chore> chores) {
    this.chores = List.copyOf(chores);
  }

  @Override
  public Future<?> start() {
    for (Chore chore : chores) {
      Rounds rounds = new Rounds(vertx, log, chore);
      running.add(rounds);
      rounds.start();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    running.forEach(Rounds::stop);
    return Future.succeededFuture();
  }
}
