package io.taskservice.api;

import io.taskservice.db.IdempotencyKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired idempotency keys now and then, on every node that serves the API: once a minute,
 * or once per time to live when that is shorter.
 */
public final class KeyExpiryVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(KeyExpiryVerticle.class);
  private static final Duration MAX_INTERVAL = Duration.ofMinutes(1);

  private final IdempotencyKeys keys;
  private final long intervalMs;
  private boolean pruning;

  public KeyExpiryVerticle(IdempotencyKeys keys, Duration ttl) {
    this.keys = keys;
    this.intervalMs = Math.max(1, Math.min(MAX_INTERVAL.toMillis(), ttl.toMillis()));
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(intervalMs, id -> prune());
    return Future.succeededFuture();
  }

  private void prune() {
    if (pruning) {
      return;
    }
    pruning = true;
    keys.pruneExpired()
        .onSuccess(n -> log.debug("pruned {} expired idempotency keys", n))
        .onFailure(e -> log.warn("pruning expired idempotency keys failed: {}", e.toString()))
        .onComplete(done -> pruning = false);
  }
}
