package io.taskservice.db;

import io.taskservice.domain.Task;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API's SQL on the {@code tasks} table: create, read, list. Creates are group-committed: titles
 * that arrive together are inserted by one statement. Create one repository per verticle (the
 * grouping is confined to its event loop); the pool is shared.
 */
public final class TaskRepository {
  private static final String COLUMNS = "id, title, status, result, created_at, updated_at";

  // ids follow the input order, so the i-th returned row (by id) belongs to the i-th title
  static final String INSERT =
      "INSERT INTO tasks (title) SELECT title FROM unnest($1::text[]) WITH ORDINALITY AS t(title, n)"
          + " ORDER BY n RETURNING "
          + COLUMNS;
  static final String FIND = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1";
  // concurrent reads by id share one statement: one index scan instead of one round trip each
  static final String FIND_MANY = "SELECT " + COLUMNS + " FROM tasks WHERE id = ANY($1)";
  // ids first (an index-only scan, however deep the page), then only those rows
  static final String PAGE_ALL =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id IN (SELECT id FROM tasks ORDER BY id DESC LIMIT $1 OFFSET $2)"
          + " ORDER BY id DESC";
  static final String PAGE_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id IN (SELECT id FROM tasks WHERE status = $1"
          + " ORDER BY id DESC LIMIT $2 OFFSET $3) ORDER BY id DESC";
  // keyset pages of the cursor pagination: an index range from the cursor's position, so the
  // millionth page costs what the first does; the offset (at most 1000) only comes from
  // hand-made cursors
  static final String BELOW_ALL =
      "SELECT " + COLUMNS + " FROM tasks WHERE id <= $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
  static final String BELOW_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE status = $1 AND id <= $2 ORDER BY id DESC LIMIT $3 OFFSET $4";
  static final String ABOVE_ALL =
      "SELECT " + COLUMNS + " FROM tasks WHERE id >= $1 ORDER BY id LIMIT $2 OFFSET $3";
  static final String ABOVE_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE status = $1 AND id >= $2 ORDER BY id LIMIT $3 OFFSET $4";

  static final int MAX_BATCH = 500;

  private final Pool pool;
  private final long timeoutMs;
  private final TaskCounts counts;
  private final Batcher<String, Task> inserts;
  private final Batcher<Long, Optional<Task>> finds;
  // the calls whose answer has not arrived yet, failed at once when the database goes away
  private final Set<Promise<?>> waiting = new HashSet<>();

  public TaskRepository(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.counts = new TaskCounts(pool, timeoutMs);
    // one statement in flight per verticle, the calls arriving meanwhile go together in the
    // next: fewer, larger statements cost PostgreSQL far less per row (measured with
    // bench/run.sh on 2 cores: GET by id +60 %, POST +10 % against 4 in flight)
    this.inserts = new Batcher<>(MAX_BATCH, 1, this::insertAll);
    this.finds = new Batcher<>(MAX_BATCH, 1, this::findAll);
  }

  /** A page of tasks, newest first, with the number of tasks matching the filter. */
  public record Page(long count, List<Task> tasks) {}

  /** Stores a new task; its id is assigned by the database. The title must be valid. */
  public Future<Task> create(String title) {
    return answer(inserts.submit(title));
  }

  public Future<Optional<Task>> find(long id) {
    return answer(finds.submit(id));
  }

  /**
   * Fails every call still waiting for the database with {@link StoreUnavailableException}: the
   * database was found unreachable, so their answer would only come at their time limit. A
   * statement already sent may still take effect (an insert may commit); the API then answered 503
   * for a task that exists, which is processed like any other.
   */
  public void failWaiting(String reason) {
    List<Promise<?>> failing = List.copyOf(waiting);
    waiting.clear();
    failing.forEach(p -> p.tryFail(new StoreUnavailableException(reason, null)));
  }

  private Future<List<Optional<Task>>> findAll(List<Long> ids) {
    if (ids.size() == 1) {
      return guard(
          pool.preparedQuery(FIND)
              .execute(Tuple.of(ids.get(0)))
              .map(rows -> List.of(toTasks(rows).stream().findFirst())));
    }
    return guard(
        pool.preparedQuery(FIND_MANY)
            .execute(Tuple.of((Object) ids.toArray(Long[]::new)))
            .map(
                rows -> {
                  Map<Long, Task> byId = new HashMap<>();
                  rows.forEach(row -> byId.put(row.getLong("id"), toTask(row)));
                  return ids.stream().map(id -> Optional.ofNullable(byId.get(id))).toList();
                }));
  }

  /** The exact number of tasks matching the filter, as DRF's pagination counts them. */
  public Future<Long> count(Optional<TaskStatus> status) {
    return answer(counts.count(status));
  }

  public Future<List<Task>> page(Optional<TaskStatus> status, long offset, int limit) {
    Future<RowSet<Row>> rows =
        status.isPresent()
            ? pool.preparedQuery(PAGE_BY_STATUS)
                .execute(Tuple.of(status.get().wire(), limit, offset))
            : pool.preparedQuery(PAGE_ALL).execute(Tuple.of(limit, offset));
    return answer(guard(rows.map(TaskRepository::toTasks)));
  }

  /**
   * Up to {@code limit} tasks with ids at most {@code maxId}, newest first, skipping {@code
   * offset}.
   */
  public Future<List<Task>> newestUpTo(
      Optional<TaskStatus> status, long maxId, int offset, int limit) {
    return keyset(status, BELOW_ALL, BELOW_BY_STATUS, maxId, offset, limit);
  }

  /**
   * Up to {@code limit} tasks with ids at least {@code minId}, oldest first, skipping {@code
   * offset}.
   */
  public Future<List<Task>> oldestFrom(
      Optional<TaskStatus> status, long minId, int offset, int limit) {
    return keyset(status, ABOVE_ALL, ABOVE_BY_STATUS, minId, offset, limit);
  }

  private Future<List<Task>> keyset(
      Optional<TaskStatus> status, String all, String byStatus, long bound, int offset, int limit) {
    Future<RowSet<Row>> rows =
        status.isPresent()
            ? pool.preparedQuery(byStatus)
                .execute(Tuple.of(status.get().wire(), bound, limit, offset))
            : pool.preparedQuery(all).execute(Tuple.of(bound, limit, offset));
    return answer(guard(rows.map(TaskRepository::toTasks)));
  }

  private Future<List<Task>> insertAll(List<String> titles) {
    return guard(
        pool.preparedQuery(INSERT)
            .execute(Tuple.of((Object) titles.toArray(String[]::new)))
            .map(
                rows -> {
                  List<Task> tasks = toTasks(rows);
                  tasks.sort((a, b) -> Long.compare(a.id(), b.id()));
                  return tasks;
                }));
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }

  /** The call's answer, unless {@link #failWaiting} comes first. */
  private <T> Future<T> answer(Future<T> call) {
    Promise<T> answer = Promise.promise();
    waiting.add(answer);
    call.onComplete(
        done -> {
          waiting.remove(answer);
          if (done.succeeded()) {
            answer.tryComplete(done.result());
          } else {
            answer.tryFail(done.cause());
          }
        });
    return answer.future();
  }

  private static List<Task> toTasks(RowSet<Row> rows) {
    List<Task> tasks = new ArrayList<>(rows.size());
    rows.forEach(row -> tasks.add(toTask(row)));
    return tasks;
  }

  static TaskStatus status(Row row) {
    String wire = row.getString("status");
    return TaskStatus.fromWire(wire)
        .orElseThrow(() -> new IllegalStateException("unknown status in database: " + wire));
  }

  private static Task toTask(Row row) {
    String result = row.getString("result");
    return new Task(
        row.getLong("id"),
        row.getString("title"),
        status(row),
        result == null ? null : TaskResult.valueOf(result.toUpperCase(java.util.Locale.ROOT)),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"));
  }
}
