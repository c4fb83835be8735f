package io.taskservice.cluster;

import io.taskservice.TestDatabase;
import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

/** What tests read from the test database's tasks table: progress, holders, outcomes. */
public final class TaskTable {
  // a final task is right when its status and result follow the parity of its title's length
  private static final String WRONG =
      "(status = 'done') <> (char_length(title) % 2 = 0)"
          + " OR result IS NULL OR (result = 'success') <> (status = 'done')";
  public static final String PROGRESS =
      "SELECT count(*) AS total,"
          + " count(*) FILTER (WHERE status IN ('new', 'processing')) AS unfinished,"
          + " count(*) FILTER (WHERE status IN ('done', 'failed') AND ("
          + WRONG
          + ")) AS wrong,"
          + " array_agg(DISTINCT claimed_by) FILTER (WHERE status = 'processing') AS holders"
          + " FROM tasks";
  public static final String PROCESSING =
      "SELECT id, claimed_by, lease_until FROM tasks WHERE status = 'processing'";
  public static final String LONGEST =
      "SELECT coalesce(ceil(extract(epoch FROM max(updated_at - created_at)) * 1000), 0)::bigint"
          + " AS longest_ms FROM tasks WHERE status IN ('done', 'failed')";
  public static final String FINISHED =
      "SELECT id, updated_at FROM tasks WHERE status IN ('done', 'failed')";

  // per task of $1: how many history rows of each kind it has, e.g. finished or
  // recovered/member_left
  public static final String HISTORY =
      "SELECT task_id, event || coalesce('/' || reason, '') AS kind, count(*) AS n"
          + " FROM task_history WHERE task_id = ANY($1) GROUP BY task_id, kind";

  /** A snapshot of the table. {@code holders}: workers holding processing tasks right now. */
  public record Progress(long total, long unfinished, long wrong, Set<String> holders) {
    public boolean allFinished(long expected) {
      return total == expected && unfinished == 0;
    }
  }

  /** A task in processing: who holds it and until when. */
  public record Held(long id, String holder, OffsetDateTime leaseUntil) {}

  private final Pool pool;

  public TaskTable(Vertx vertx) {
    this.pool = Database.pool(vertx, TestDatabase.config(Map.of("TASKS_DB_POOL_SIZE", "2")));
  }

  public Future<Progress> progress() {
    return pool.query(PROGRESS)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              String[] holders = row.getArrayOfStrings("holders");
              return new Progress(
                  row.getLong("total"),
                  row.getLong("unfinished"),
                  row.getLong("wrong"),
                  holders == null ? Set.of() : new HashSet<>(List.of(holders)));
            });
  }

  /** The tasks in processing now. */
  public Future<List<Held>> processing() {
    return pool.query(PROCESSING)
        .execute()
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false)
                    .map(
                        r ->
                            new Held(
                                r.getLong("id"),
                                r.getString("claimed_by"),
                                r.getOffsetDateTime("lease_until")))
                    .toList());
  }

  /**
   * Per task of {@code ids}: its history rows counted by kind ({@code finished}, {@code
   * recovered/member_left}, ...).
   */
  public Future<Map<Long, Map<String, Long>>> historyKinds(List<Long> ids) {
    return pool.preparedQuery(HISTORY)
        .execute(io.vertx.sqlclient.Tuple.of(ids.toArray(Long[]::new)))
        .map(
            rows -> {
              Map<Long, Map<String, Long>> kinds = new HashMap<>();
              ids.forEach(id -> kinds.put(id, new HashMap<>()));
              rows.forEach(
                  r -> kinds.get(r.getLong("task_id")).put(r.getString("kind"), r.getLong("n")));
              return kinds;
            });
  }

  /** The longest time a finished task took from its creation to its final status. */
  public Future<Duration> longestToFinish() {
    return pool.query(LONGEST)
        .execute()
        .map(rows -> Duration.ofMillis(rows.iterator().next().getLong("longest_ms")));
  }

  /**
   * Per holder of {@code held} (a snapshot of {@link #processing}): whether its tasks got their
   * final status after their lease had run out — {@code {true}}, {@code {false}} or both.
   */
  public Future<Map<String, Set<Boolean>>> finishedAfterLeaseByHolder(List<Held> held) {
    return pool.query(FINISHED)
        .execute()
        .map(
            rows -> {
              Map<Long, OffsetDateTime> finishedAt = new HashMap<>();
              rows.forEach(r -> finishedAt.put(r.getLong("id"), r.getOffsetDateTime("updated_at")));
              Map<String, Set<Boolean>> byHolder = new HashMap<>();
              for (Held h : held) {
                boolean afterLease = finishedAt.get(h.id()).isAfter(h.leaseUntil());
                byHolder.computeIfAbsent(h.holder(), k -> new HashSet<>()).add(afterLease);
              }
              return byHolder;
            });
  }
}
