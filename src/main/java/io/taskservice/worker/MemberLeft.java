package io.taskservice.worker;

import io.taskservice.changefeed.HistoryChange;
import io.taskservice.cluster.Membership;
import io.taskservice.db.Database;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover by membership: when a worker's cluster member leaves and its heartbeat in {@code
 * workers} has stopped too, the leases of its claims end at once, so that the next claim of any
 * worker takes them over (as {@code recovered}, reason {@code member_left}) instead of after the
 * lease. Both signals must agree: a node cut off from the cluster that still reaches PostgreSQL
 * keeps beating, and keeps its tasks until their lease ends. The oldest worker member does it; a
 * race with another is harmless, the statement ends only leases that have not ended yet.
 */
final class MemberLeft {
  private static final Logger log = LoggerFactory.getLogger(MemberLeft.class);

  /**
   * A departed member's heartbeat is stale after two missed beats: short enough for its tasks to be
   * final well within the processing delay plus 5 s of its death, and still no node that beats in
   * the database loses its claims (the {@link WorkerRegistry#STALE_MS} of consumers and capacity
   * judges from the heartbeat alone; here it is the second of two signals).
   */
  static final long STALE_MS = 2 * WorkerRegistry.HEARTBEAT_MS;

  /** How soon a worker that is not the oldest looks again whether it has become the oldest. */
  private static final long RECHECK_MS = 1000;

  // The nodes of member $1 whose heartbeat is older than $2 ms: their claims whose lease has not
  // ended yet end now (rows locked in id order, as everywhere), each with a 'handed_back' history
  // row naming the holder and the reason. Answers the age of the youngest heartbeat that is not
  // stale yet (null when none), how many of the member's nodes have a row, and what was released.
  static final String HAND_BACK =
      "WITH node AS (SELECT node_id, heartbeat < now() - $2 * interval '1 millisecond' AS stale,"
          + " (extract(epoch FROM now() - heartbeat) * 1000)::bigint AS age_ms"
          + " FROM workers WHERE member_id = $1),"
          + " released AS (UPDATE tasks SET lease_until = now(), updated_at = now()"
          + " WHERE id IN (SELECT id FROM tasks WHERE status = 'processing'"
          + " AND lease_until > now() AND claimed_by IN (SELECT node_id FROM node WHERE stale)"
          + " ORDER BY id FOR UPDATE)"
          + " RETURNING id, updated_at, claimed_by, queue),"
          + " history AS (INSERT INTO task_history_rows (task_id, at, change, worker)"
          + " SELECT id, updated_at, "
          + HistoryChange.HANDED_BACK_MEMBER_LEFT.code()
          + ", "
          + HistoryChange.workerOf("claimed_by")
          + " FROM released ORDER BY id)"
          + " SELECT (SELECT min(age_ms) FROM node WHERE NOT stale) AS fresh_age_ms,"
          + " (SELECT count(*) FROM node) AS nodes, (SELECT count(*) FROM released) AS released,"
          + " (SELECT array_agg(DISTINCT queue) FROM released) AS queues";

  /** What one attempt found: the member's rows, the age of a fresh heartbeat, what it released. */
  record Attempt(long nodes, Long freshAgeMs, long released, List<String> queues) {}

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final long timeoutMs;
  private final long leaseMs;
  private final Membership members;
  private final Consumer<List<String>> released;
  // departed members still to settle, with the time after which their leases have ended anyway
  private final Map<String, Long> pending = new HashMap<>();
  private final Map<String, Long> timers = new HashMap<>();
  private Runnable unlisten = () -> {};

  /**
   * @param released told the queues of the tasks whose leases ended: claim them now
   */
  MemberLeft(
      Vertx vertx,
      Pool pool,
      long timeoutMs,
      long leaseMs,
      Membership members,
      Consumer<List<String>> released) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.leaseMs = leaseMs;
    this.members = members;
    this.released = released;
  }

  void start() {
    unlisten =
        members.listen(
            new Membership.Listener() {
              @Override
              public void left(String memberId) {
                context.runOnContext(v -> departed(memberId));
              }

              @Override
              public void joined(String memberId) {
                // back after a split: it never stopped, nothing of it is to be handed back
                context.runOnContext(v -> settle(memberId));
              }
            });
  }

  void stop() {
    unlisten.run();
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    pending.clear();
  }

  private void departed(String memberId) {
    log.info(
        "cluster member {} left; its claims are handed back once its heartbeat stops", memberId);
    pending.put(memberId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMs));
    attempt(memberId);
  }

  private void settle(String memberId) {
    pending.remove(memberId);
    Long timer = timers.remove(memberId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private void attempt(String memberId) {
    timers.remove(memberId);
    Long until = pending.get(memberId);
    if (until == null) {
      return;
    }
    if (until - System.nanoTime() <= 0) {
      settle(memberId); // every lease it held has ended by now: the sweep takes them over
      return;
    }
    if (!members.firstWorker()) {
      // the oldest worker does it; should it die too, this one may become the oldest
      retry(memberId, RECHECK_MS);
      return;
    }
    handBack(memberId, STALE_MS)
        .onSuccess(
            a -> {
              if (a.released() > 0) {
                log.info(
                    "handed back {} tasks of cluster member {}, which left (member_left)",
                    a.released(),
                    memberId);
                released.accept(a.queues());
              }
              if (a.freshAgeMs() == null) {
                settle(memberId); // no row, or every row is stale and its claims are ended
              } else {
                // its heartbeat is fresh: partitioned but alive, or it stopped a moment ago
                retry(memberId, Math.max(100, STALE_MS - a.freshAgeMs() + 50));
              }
            })
        .onFailure(
            e -> {
              log.warn("hand-back of cluster member {} failed: {}", memberId, e.toString());
              retry(memberId, RECHECK_MS);
            });
  }

  private void retry(String memberId, long inMs) {
    timers.put(memberId, vertx.setTimer(inMs, t -> attempt(memberId)));
  }

  /** Ends the leases of the claims of member {@code memberId}'s nodes stale for {@code staleMs}. */
  Future<Attempt> handBack(String memberId, long staleMs) {
    return Database.guard(
        pool.preparedQuery(HAND_BACK)
            .execute(Tuple.of(memberId, staleMs))
            .map(
                rows -> {
                  Row row = rows.iterator().next();
                  String[] queues = row.getArrayOfStrings("queues");
                  return new Attempt(
                      row.getLong("nodes"),
                      row.getLong("fresh_age_ms"),
                      row.getLong("released"),
                      queues == null ? List.of() : List.of(queues));
                }),
        timeoutMs);
  }
}
