package io.taskservice.worker;

import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the worker asks the database between claims: which queues hold unfinished tasks (for a node
 * that consumes every queue), and when each queue's next scheduled task is due. Both are a few
 * index reads, whatever the number of tasks.
 */
final class QueueWork {
  // from the exact counts, a handful of rows per queue
  static final String UNFINISHED_QUEUES =
      "SELECT DISTINCT queue FROM (SELECT queue FROM task_counts"
          + " WHERE status IN ('new', 'processing') GROUP BY queue, status HAVING sum(n) > 0) AS q"
          + " ORDER BY queue";
  // one descent of the scheduled index per queue; in ms from the database's own now, so a clock
  // step on this node cannot make it claim early
  static final String NEXT_DUE =
      "SELECT q.queue, ceil(extract(epoch FROM (n.due_at - now())) * 1000)::bigint AS in_ms"
          + " FROM unnest($1::text[]) AS q(queue) CROSS JOIN LATERAL (SELECT due_at FROM tasks"
          + " WHERE status = 'new' AND run_after IS NOT NULL AND queue = q.queue"
          + " AND due_at > now() ORDER BY due_at LIMIT 1) AS n";

  private final Pool pool;
  private final long timeoutMs;

  QueueWork(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The queues that hold new or processing tasks, in name order. */
  Future<List<String>> unfinishedQueues() {
    return Database.guard(
        pool.preparedQuery(UNFINISHED_QUEUES)
            .execute()
            .map(
                rows -> {
                  List<String> queues = new ArrayList<>(rows.size());
                  rows.forEach(row -> queues.add(row.getString("queue")));
                  return queues;
                }),
        timeoutMs);
  }

  /** For each of {@code queues} with a scheduled task to come: in how many ms the next is due. */
  Future<Map<String, Long>> nextDue(List<String> queues) {
    if (queues.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return Database.guard(
        pool.preparedQuery(NEXT_DUE)
            .execute(Tuple.of((Object) queues.toArray(String[]::new)))
            .map(
                rows -> {
                  Map<String, Long> due = new LinkedHashMap<>();
                  rows.forEach(row -> due.put(row.getString("queue"), row.getLong("in_ms")));
                  return due;
                }),
        timeoutMs);
  }
}
