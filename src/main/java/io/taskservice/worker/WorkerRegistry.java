package io.taskservice.worker;

import io.taskservice.db.Database;
import io.taskservice.domain.ConsumedQueues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This worker's row in {@code workers}: what it consumes and its cluster member, with a heartbeat
 * every second. The table is where every node learns a queue's consumers and capacity; a row whose
 * heartbeat is older than {@link #STALE_MS} is a node that died without leaving.
 */
final class WorkerRegistry {
  static final long HEARTBEAT_MS = 1000;
  static final long STALE_MS = 10_000;

  // the member id is written with every beat: a member that merged back after a split may have
  // another one
  static final String BEAT =
      "INSERT INTO workers (node_id, role, queues, member_id) VALUES ($1, $2, $3, $4)"
          + " ON CONFLICT (node_id) DO UPDATE SET heartbeat = now(), queues = excluded.queues,"
          + " member_id = excluded.member_id";
  static final String LEAVE = "DELETE FROM workers WHERE node_id = $1";

  private final Pool pool;
  private final long timeoutMs;
  private final String nodeId;
  private final String role;
  private final JsonObject queues;
  private final Supplier<Optional<String>> member;

  WorkerRegistry(
      Pool pool,
      long timeoutMs,
      String nodeId,
      Object role,
      ConsumedQueues consumed,
      Supplier<Optional<String>> member) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.nodeId = nodeId;
    this.role = role.toString().toLowerCase(java.util.Locale.ROOT);
    this.member = member;
    this.queues = new JsonObject();
    consumed.asMap().forEach(queues::put);
  }

  /** Registers the worker, or tells that it still lives. */
  Future<Void> beat() {
    return Database.guard(
        pool.preparedQuery(BEAT)
            .execute(Tuple.of(nodeId, role, queues, member.get().orElse(null)))
            .mapEmpty(),
        timeoutMs);
  }

  /** The worker stopped: it consumes nothing any more. */
  Future<Void> leave() {
    return Database.guard(
        pool.preparedQuery(LEAVE).execute(Tuple.of(nodeId)).mapEmpty(), timeoutMs);
  }
}
