package io.taskservice.tasks;

import io.taskservice.db.Database;
import io.taskservice.housekeeping.Chore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes expired idempotency keys in small batches (keys are stored with their task by {@link
 * TaskRepository}). Any number of nodes may prune at once: rows another node is deleting are
 * skipped. An expired key not pruned yet is already ignored by creates.
 */
public final class IdempotencyKeys {
  static final String PRUNE =
      "DELETE FROM idempotency_keys WHERE (scope, key) IN (SELECT scope, key"
          + " FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond'"
          + " ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)";
  static final int BATCH = 1000;
  private static final Duration MAX_INTERVAL = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);

  private final Pool pool;
  private final long timeoutMs;
  private final long ttlMs;

  public IdempotencyKeys(Pool pool, long timeoutMs, Duration ttl) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.ttlMs = ttl.toMillis();
  }

  /**
   * Expiry as periodic work, on every node that serves the API: once a minute, or once per time to
   * live when that is shorter.
   */
  public Chore expiry() {
    long intervalMs = Math.max(1, Math.min(MAX_INTERVAL.toMillis(), ttlMs));
    return Chore.every(
        "Pruning expired idempotency keys",
        intervalMs,
        () -> pruneExpired().onSuccess(n -> log.debug("pruned {} expired idempotency keys", n)));
  }

  /** Deletes every key older than the time to live, batch by batch; returns how many. */
  public Future<Long> pruneExpired() {
    return pruneFrom(0);
  }

  private Future<Long> pruneFrom(long before) {
    return Database.guard(
            pool.preparedQuery(PRUNE).execute(Tuple.of(ttlMs, BATCH)).map(RowSet::rowCount),
            timeoutMs)
        .compose(n -> n < BATCH ? Future.succeededFuture(before + n) : pruneFrom(before + n));
  }
}
