package io.taskservice.queues;

import io.taskservice.counts.TaskCounts;
import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queues' SQL: their settings ({@code queues}), their consumers ({@code workers} rows with a
 * heartbeat in the last 10 s), the age of their oldest due task and their scheduled tasks. Every
 * read costs a fixed number of statements whatever the number of queues; the counts per status come
 * from {@code task_counts} (exact, a handful of rows per queue).
 */
final class QueueRepository {
  /** The advisory lock every claim of a queue takes (shared, or exclusive when capped). */
  static final String LOCK = "SELECT pg_advisory_xact_lock(74110, hashtext($1))";

  static final String SETTINGS_FOR_UPDATE =
      "SELECT paused, max_running FROM queues WHERE name = $1 FOR UPDATE";

  static final String UPSERT =
      "INSERT INTO queues (name, paused, max_running, updated_at) VALUES ($1, $2, $3, now())"
          + " ON CONFLICT (name) DO UPDATE"
          + " SET paused = excluded.paused, max_running = excluded.max_running,"
          + " updated_at = excluded.updated_at";

  // A worker node is live while its heartbeat is recent; it consumes a queue it names or, with
  // "*", every queue.
  private static final String LIVE =
      "SELECT queues FROM workers WHERE heartbeat > now() - interval '10 seconds'";
  // the queues the live consumers name (a statement's CTE "live")
  private static final String LIVE_NAMES =
      " SELECT k FROM live, jsonb_object_keys(live.queues) AS k WHERE k <> '*'";

  // how many live consumers take the queue named by {@code name} (a statement's CTE "live")
  private static String consumersOf(String name) {
    return " (SELECT count(*) FROM live WHERE live.queues ? "
        + name
        + " OR live.queues ? '*') AS consumers";
  }

  // One index descent per priority on tasks_claim_idx: the first due_at of each (queue, priority)
  // range of new tasks. The oldest of those is the oldest due task when it is due at all.
  private static String firstDuePerPriority(String queue) {
    return " generate_series(0, 9) AS p, LATERAL (SELECT t.due_at FROM tasks t"
        + " WHERE t.status = 'new' AND t.queue = "
        + queue
        + " AND t.priority = p ORDER BY t.due_at LIMIT 1) AS x";
  }

  /** One queue: settings, counts per status, consumers, the oldest due task's age. */
  static final String ONE =
      "SELECT q.name IS NOT NULL AS has_row, coalesce(q.paused, false) AS paused,"
          + " q.max_running, w.consumers, w.named,"
          + " (SELECT coalesce(jsonb_object_agg(c.status, c.n), '{}'::jsonb) FROM ("
          + "   SELECT status, sum(n)::bigint AS n FROM task_counts WHERE queue = $1"
          + "   GROUP BY status HAVING sum(n) <> 0) AS c) AS counts,"
          + " (SELECT extract(epoch FROM now() - min(x.due_at))::float8"
          + " FROM"
          + firstDuePerPriority("$1")
          + "   HAVING min(x.due_at) <= now()) AS oldest_age"
          + " FROM (VALUES (1)) AS one"
          + " LEFT JOIN queues q ON q.name = $1"
          + " CROSS JOIN (SELECT count(*) FILTER (WHERE queues ? $1 OR queues ? '*') AS consumers,"
          + "   coalesce(bool_or(queues ? $1), false) AS named FROM ("
          + LIVE
          + ") AS live) AS w";

  /**
   * Every queue: those with a settings row, those a live consumer names, and {@code $1} (the queues
   * holding tasks), in name order, with settings and consumers: the metrics' read, once a second
   * per node.
   */
  static final String ALL =
      "WITH live AS ("
          + LIVE
          + "), names AS ("
          + " SELECT name FROM queues"
          + " UNION"
          + LIVE_NAMES
          + " UNION SELECT unnest($1::text[]))"
          + " SELECT n.name, coalesce(q.paused, false) AS paused, q.max_running,"
          + consumersOf("n.name")
          + " FROM names n LEFT JOIN queues q ON q.name = n.name ORDER BY n.name";

  /**
   * One page of every queue, in name order: {@code $1} queues from offset {@code $2}, each with its
   * counts per status, and how many queues there are in all. The queues holding tasks (from the
   * exact counts) and those of live consumers that have no settings row are looked up by name
   * ({@code extra}); the page itself is read from the settings' primary key, merged with those in
   * name order, so a page costs its own rows and the extra queues, not every named queue. The total
   * is the one count over the settings rows.
   */
  static final String PAGE =
      "WITH live AS ("
          + LIVE
          + "), counted AS MATERIALIZED ("
          + TaskCounts.BY_QUEUE
          + "), extra AS (SELECT x.name FROM ("
          + LIVE_NAMES
          + " UNION SELECT queue FROM counted) AS x(name)"
          + " WHERE (SELECT true FROM queues q WHERE q.name = x.name) IS NULL),"
          + " page AS (SELECT * FROM ("
          + " (SELECT name::text, paused, max_running FROM queues"
          + " ORDER BY name LIMIT $1::int + $2::bigint)"
          + " UNION ALL SELECT name, false, NULL FROM extra) AS n(name, paused, max_running)"
          + " ORDER BY n.name LIMIT $1::int OFFSET $2::bigint)"
          + " SELECT t.total, p.name, p.paused, p.max_running,"
          + consumersOf("p.name")
          + ", c.statuses, c.counts"
          + " FROM (SELECT (SELECT count(*) FROM queues) + (SELECT count(*) FROM extra) AS total)"
          + " AS t LEFT JOIN page p ON true"
          + " LEFT JOIN (SELECT queue, array_agg(status::text) AS statuses, array_agg(n) AS counts"
          + " FROM counted GROUP BY queue) AS c ON c.queue = p.name ORDER BY p.name";

  /** The age of the oldest due new task of each of {@code $1} that has one. */
  static final String OLDEST =
      "SELECT q.name, extract(epoch FROM now() - min(x.due_at))::float8 AS age"
          + " FROM unnest($1::text[]) AS q(name),"
          + firstDuePerPriority("q.name")
          + " GROUP BY q.name HAVING min(x.due_at) <= now()";

  /**
   * Per queue, new tasks not yet due (a count over tasks_scheduled_idx) and, in paused queues,
   * processing tasks whose lease ran out (over the processing range of the status index: as many
   * rows as the workers hold).
   */
  static final String WAITING =
      "SELECT queue, count(*) FILTER (WHERE scheduled) AS scheduled,"
          + " count(*) FILTER (WHERE NOT scheduled) AS stalled FROM ("
          + " SELECT queue, true AS scheduled FROM tasks"
          + " WHERE status = 'new' AND run_after IS NOT NULL AND due_at > now()"
          + " UNION ALL SELECT t.queue, false FROM tasks t JOIN queues q ON q.name = t.queue"
          + " WHERE q.paused AND t.status = 'processing' AND t.lease_until < now()) AS w"
          + " GROUP BY queue";

  /** A queue's settings and consumers as one read saw them. */
  record Listed(String name, boolean paused, Integer maxRunning, long consumers) {}

  /**
   * One queue as read in one statement.
   *
   * @param counts the non-zero counts per status
   * @param oldestAge seconds since the oldest due new task fell due; null when none is due
   */
  record One(
      boolean hasRow,
      boolean paused,
      Integer maxRunning,
      long consumers,
      boolean named,
      Map<String, Long> counts,
      Double oldestAge) {
    /** A queue exists while a task, a settings row or a live consumer names it. */
    boolean exists() {
      return hasRow || named || !counts.isEmpty();
    }
  }

  /** Settings as they were before a change, and as it left them. */
  record Change(Settings before, Settings after) {}

  private final Pool pool;
  private final long timeoutMs;

  QueueRepository(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  Future<One> one(String name) {
    return guard(
        pool.preparedQuery(ONE)
            .execute(Tuple.of(name))
            .map(
                rows -> {
                  Row row = rows.iterator().next();
                  Map<String, Long> counts = new HashMap<>();
                  JsonObject json = (JsonObject) row.getValue("counts");
                  json.forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
                  return new One(
                      row.getBoolean("has_row"),
                      row.getBoolean("paused"),
                      row.getInteger("max_running"),
                      row.getLong("consumers"),
                      row.getBoolean("named"),
                      counts,
                      row.getDouble("oldest_age"));
                }));
  }

  /** Every queue, in name order; {@code withTasks} are the queues some task names. */
  Future<List<Listed>> all(List<String> withTasks) {
    return guard(
        pool.preparedQuery(ALL)
            .execute(Tuple.of(withTasks.toArray(String[]::new)))
            .map(
                rows -> {
                  List<Listed> queues = new ArrayList<>(rows.size());
                  rows.forEach(row -> queues.add(listed(row)));
                  return queues;
                }));
  }

  /** A queue of a page, with its non-zero counts per status. */
  record Counted(Listed queue, Map<String, Long> counts) {}

  /** One page of queues and how many there are in all. */
  record Page(long total, List<Counted> rows) {}

  /** The {@code limit} queues from {@code offset}, in name order. */
  Future<Page> page(int limit, long offset) {
    return guard(
        pool.preparedQuery(PAGE)
            .execute(Tuple.of(limit, offset))
            .map(
                rows -> {
                  long total = 0;
                  List<Counted> queues = new ArrayList<>(rows.size());
                  for (Row row : rows) {
                    total = row.getLong("total");
                    if (row.getString("name") != null) {
                      Map<String, Long> counts = new HashMap<>();
                      String[] statuses = row.getArrayOfStrings("statuses");
                      Long[] ns = row.getArrayOfLongs("counts");
                      for (int i = 0; statuses != null && i < statuses.length; i++) {
                        counts.put(statuses[i], ns[i]);
                      }
                      queues.add(new Counted(listed(row), counts));
                    }
                  }
                  return new Page(total, queues);
                }));
  }

  private static Listed listed(Row row) {
    return new Listed(
        row.getString("name"),
        row.getBoolean("paused"),
        row.getInteger("max_running"),
        row.getLong("consumers"));
  }

  /** The oldest due task's age of each of {@code names} with one due. */
  Future<Map<String, Double>> oldestAges(List<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return guard(
        pool.preparedQuery(OLDEST)
            .execute(Tuple.of(names.toArray(String[]::new)))
            .map(
                rows -> {
                  Map<String, Double> ages = new HashMap<>();
                  rows.forEach(row -> ages.put(row.getString("name"), row.getDouble("age")));
                  return ages;
                }));
  }

  Future<Map<String, Waiting>> waiting() {
    return guard(
        pool.preparedQuery(WAITING)
            .execute()
            .map(
                rows -> {
                  Map<String, Waiting> counts = new HashMap<>();
                  rows.forEach(
                      row ->
                          counts.put(
                              row.getString("queue"),
                              new Waiting(row.getLong("scheduled"), row.getLong("stalled"))));
                  return Map.copyOf(counts);
                }));
  }

  /**
   * Applies {@code patch} to the queue's settings (creating its row) in one transaction under the
   * queue's advisory lock, taken exclusively: a claim holds it (shared or exclusive) while it reads
   * the settings and takes tasks, so once this commits no claim that read the old settings is still
   * to commit.
   */
  Future<Change> update(String name, Patch patch) {
    return guard(
        pool.withTransaction(
            conn ->
                conn.preparedQuery(LOCK)
                    .execute(Tuple.of(name))
                    .compose(
                        locked -> conn.preparedQuery(SETTINGS_FOR_UPDATE).execute(Tuple.of(name)))
                    .compose(
                        rows -> {
                          Settings before =
                              rows.size() == 0
                                  ? Settings.DEFAULT
                                  : new Settings(
                                      rows.iterator().next().getBoolean("paused"),
                                      rows.iterator().next().getInteger("max_running"));
                          Settings after = patch.applyTo(before);
                          return conn.preparedQuery(UPSERT)
                              .execute(Tuple.of(name, after.paused(), after.maxRunning()))
                              .map(done -> new Change(before, after));
                        })));
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }
}
