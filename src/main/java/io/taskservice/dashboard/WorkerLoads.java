package io.taskservice.dashboard;

import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * Tasks in flight per worker, cluster-wide, as the database holds them: one row per holder of
 * {@code processing} tasks. The {@code (status, id)} index bounds the read by the tasks in flight,
 * not by the size of the table.
 */
public final class WorkerLoads {
  static final String IN_FLIGHT_BY_WORKER =
      "SELECT claimed_by, count(*) FROM tasks WHERE status = 'processing'"
          + " GROUP BY claimed_by ORDER BY claimed_by";

  private final Pool pool;
  private final long timeoutMs;

  public WorkerLoads(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /**
   * @param worker the holder's name; null for rows set to {@code processing} by hand
   * @param inFlight tasks it holds
   */
  public record Load(String worker, long inFlight) {}

  /** Every holder of processing tasks, by name. */
  public Future<List<Load>> read() {
    return Database.guard(
        pool.preparedQuery(IN_FLIGHT_BY_WORKER)
            .execute()
            .map(
                rows -> {
                  List<Load> loads = new ArrayList<>(rows.size());
                  for (Row row : rows) {
                    loads.add(new Load(row.getString(0), row.getLong(1)));
                  }
                  return loads;
                }),
        timeoutMs);
  }
}
