package io.taskservice.tasks;

import io.taskservice.changefeed.TaskHistory;
import io.taskservice.config.Settings;
import io.taskservice.counts.TaskCounts;
import io.taskservice.db.Batcher;
import io.taskservice.db.Database;
import io.taskservice.db.StoreUnavailableException;
import io.taskservice.domain.KeyInUseException;
import io.taskservice.domain.KeyReusedException;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
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

  // ids follow the input order, so the i-th returned row (by id) belongs to the i-th title; the
  // history's 'created' rows are written by the same statement
  static final String INSERT =
      "WITH created AS (INSERT INTO tasks (title)"
          + " SELECT title FROM unnest($1::text[]) WITH ORDINALITY AS t(title, n)"
          + " ORDER BY n RETURNING "
          + COLUMNS
          + "), "
          + TaskHistory.CREATED
          + " SELECT * FROM created";
  static final String FIND = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1";
  // concurrent reads by id share one statement: one index scan instead of one round trip each
  static final String FIND_MANY = "SELECT " + COLUMNS + " FROM tasks WHERE id = ANY($1)";
  // Ids first, as an index-only scan (of the primary key, or of (status, id) for a status), then
  // only those rows, each by its primary key. As "id = ANY(ARRAY(...))", not "id IN (...)": a
  // semi-join may merge the ids with a scan of the whole primary key from the newest task down to
  // the page, which for a rare status or a deep cursor reads most of the table.
  static final String PAGE_ALL =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id = ANY(ARRAY("
          + "SELECT id FROM tasks ORDER BY id DESC LIMIT $1 OFFSET $2)) ORDER BY id DESC";
  static final String PAGE_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = $1"
          + " ORDER BY id DESC LIMIT $2 OFFSET $3)) ORDER BY id DESC";
  // Keyset pages of the cursor pagination: an index range from the cursor's position, so the
  // millionth page costs what the first does (the offset, at most 1000, only comes from
  // hand-made cursors). With a status, ids first as above: a generic plan that reads the primary
  // key backwards and filters on the status would read the whole table for a rare status.
  static final String BELOW_ALL =
      "SELECT " + COLUMNS + " FROM tasks WHERE id <= $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
  static final String BELOW_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = $1 AND id <= $2"
          + " ORDER BY id DESC LIMIT $3 OFFSET $4)) ORDER BY id DESC";
  static final String ABOVE_ALL =
      "SELECT " + COLUMNS + " FROM tasks WHERE id >= $1 ORDER BY id LIMIT $2 OFFSET $3";
  static final String ABOVE_BY_STATUS =
      "SELECT "
          + COLUMNS
          + " FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks WHERE status = $1 AND id >= $2"
          + " ORDER BY id LIMIT $3 OFFSET $4)) ORDER BY id";

  // Creates with an Idempotency-Key, in one statement. Each key is claimed first (inserted, or
  // taken over once it expired), in key order so that batches racing on other nodes cannot
  // deadlock; only the titles whose key was claimed become tasks, under ids drawn beforehand. A key
  // held by another request is left alone instead of failing the batch (ON CONFLICT): its task is
  // read by FIND_KEYED in a later snapshot, which sees that request's commit.
  static final String INSERT_KEYED =
      "WITH input AS MATERIALIZED ("
          + "SELECT nextval('tasks_id_seq') AS id, title, decode(scope, 'hex') AS scope, key, n"
          + " FROM unnest($1::text[], $2::text[], $3::text[])"
          + " WITH ORDINALITY AS i(title, scope, key, n)),"
          + " claimed AS (INSERT INTO idempotency_keys AS k (scope, key, task_id)"
          + " SELECT scope, key, id FROM input ORDER BY scope, key"
          + " ON CONFLICT (scope, key) DO UPDATE SET task_id = excluded.task_id, created_at = now()"
          + " WHERE k.created_at < now() - $4 * interval '1 millisecond' RETURNING task_id),"
          + " created AS (INSERT INTO tasks (id, title)"
          + " SELECT id, title FROM input WHERE id IN (SELECT task_id FROM claimed) ORDER BY id"
          + " RETURNING "
          + COLUMNS
          + "), "
          + TaskHistory.CREATED
          + " SELECT input.n, created.* FROM created JOIN input USING (id)";
  static final String FIND_KEYED =
      "SELECT encode(k.scope, 'hex') AS scope, k.key, t.id, t.title, t.status, t.result,"
          + " t.created_at, t.updated_at FROM idempotency_keys k JOIN tasks t ON t.id = k.task_id"
          + " WHERE (k.scope, k.key) IN"
          + " (SELECT decode(s, 'hex'), key FROM unnest($1::text[], $2::text[]) AS u(s, key))";

  static final int MAX_BATCH = 500;
  // a key whose row vanished between the insert and the look-up (expired and pruned, or its task
  // deleted) is claimed again, a few times at most
  private static final int KEYED_ATTEMPTS = 3;

  private final Pool pool;
  private final long timeoutMs;
  private final TaskCounts counts;
  private final Batcher<String, Task> inserts;
  private final Batcher<Long, Optional<Task>> finds;
  private final Batcher<KeyedTitle, KeyedOutcome> keyedInserts;
  private final long keyTtlMs;
  // keys of this repository's creates still in progress: a second request with one is a 409
  private final Set<IdempotencyKey> keysInProgress = new HashSet<>();
  // the calls whose answer has not arrived yet, failed at once when the database goes away
  private final Set<Promise<?>> waiting = new HashSet<>();

  /**
   * A repository whose idempotency keys live as long as {@code TASKS_IDEMPOTENCY_TTL}'s default.
   */
  public TaskRepository(Pool pool, long timeoutMs) {
    this(pool, timeoutMs, Settings.IDEMPOTENCY_TTL.read(Map.of()));
  }

  /**
   * @param keyTtl how long an idempotency key stands for its task
   */
  public TaskRepository(Pool pool, long timeoutMs, Duration keyTtl) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.counts = new TaskCounts(pool, timeoutMs);
    this.keyTtlMs = keyTtl.toMillis();
    // one statement in flight per verticle, the calls arriving meanwhile go together in the
    // next: fewer, larger statements cost PostgreSQL far less per row (measured with
    // bench/run.sh on 2 cores: GET by id +60 %, POST +10 % against 4 in flight)
    this.inserts = new Batcher<>(MAX_BATCH, 1, this::insertAll);
    this.finds = new Batcher<>(MAX_BATCH, 1, this::findAll);
    this.keyedInserts = new Batcher<>(MAX_BATCH, 1, batch -> insertKeyed(batch, KEYED_ATTEMPTS));
  }

  /**
   * A keyed create's answer: the task created now, or, when the key came before with the same
   * title, that request's task as it is now ({@code replayed}).
   */
  public record Created(Task task, boolean replayed) {}

  private record KeyedTitle(String title, IdempotencyKey key) {}

  /** One keyed create's outcome within a batch: created or replayed, or why not. */
  private record KeyedOutcome(Created created, RuntimeException failure) {}

  /** A page of tasks, newest first, with the number of tasks matching the filter. */
  public record Page(long count, List<Task> tasks) {}

  /** Stores a new task; its id is assigned by the database. The title must be valid. */
  public Future<Task> create(String title) {
    return answer(inserts.submit(title));
  }

  /**
   * Stores a new task unless {@code key} already stands for one (the IETF Idempotency-Key): then
   * that task is the answer if it was created with the same title, else the call fails with {@link
   * KeyReusedException}. Fails with {@link KeyInUseException} while another call with the key is in
   * progress here. Across nodes, the key's row decides which request creates the task.
   */
  public Future<Created> create(String title, IdempotencyKey key) {
    if (!keysInProgress.add(key)) {
      return Future.failedFuture(new KeyInUseException(key.key()));
    }
    return answer(keyedInserts.submit(new KeyedTitle(title, key)))
        .onComplete(done -> keysInProgress.remove(key))
        .compose(
            outcome ->
                outcome.failure() == null
                    ? Future.succeededFuture(outcome.created())
                    : Future.failedFuture(outcome.failure()));
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

  private Future<List<KeyedOutcome>> insertKeyed(List<KeyedTitle> batch, int attempts) {
    Tuple params =
        Tuple.of(
            batch.stream().map(KeyedTitle::title).toArray(String[]::new),
            batch.stream().map(k -> k.key().scope()).toArray(String[]::new),
            batch.stream().map(k -> k.key().key()).toArray(String[]::new),
            keyTtlMs);
    return guard(
        pool.preparedQuery(INSERT_KEYED)
            .execute(params)
            .compose(
                rows -> {
                  KeyedOutcome[] outcomes = new KeyedOutcome[batch.size()];
                  rows.forEach(
                      row ->
                          outcomes[(int) (row.getLong("n") - 1)] =
                              new KeyedOutcome(new Created(toTask(row), false), null));
                  return replays(batch, outcomes, attempts);
                }));
  }

  /** Fills in the outcomes of the keys that other requests had claimed before. */
  private Future<List<KeyedOutcome>> replays(
      List<KeyedTitle> batch, KeyedOutcome[] outcomes, int attempts) {
    List<Integer> taken = new ArrayList<>();
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] == null) {
        taken.add(i);
      }
    }
    if (taken.isEmpty()) {
      return Future.succeededFuture(List.of(outcomes));
    }
    // not Tuple.of(scopes, keys): that picks Tuple.of(Object, Object...) and spreads the keys
    Tuple params =
        Tuple.tuple()
            .addArrayOfString(
                taken.stream().map(i -> batch.get(i).key().scope()).toArray(String[]::new))
            .addArrayOfString(
                taken.stream().map(i -> batch.get(i).key().key()).toArray(String[]::new));
    return pool.preparedQuery(FIND_KEYED)
        .execute(params)
        .compose(
            rows -> {
              Map<IdempotencyKey, Task> byKey = new HashMap<>();
              rows.forEach(
                  row ->
                      byKey.put(
                          new IdempotencyKey(row.getString("scope"), row.getString("key")),
                          toTask(row)));
              List<Integer> vanished = new ArrayList<>();
              for (int i : taken) {
                KeyedTitle wanted = batch.get(i);
                Task task = byKey.get(wanted.key());
                if (task == null) {
                  vanished.add(i);
                } else if (task.title().equals(wanted.title())) {
                  outcomes[i] = new KeyedOutcome(new Created(task, true), null);
                } else {
                  outcomes[i] = new KeyedOutcome(null, new KeyReusedException(wanted.key().key()));
                }
              }
              return claimAgain(batch, outcomes, vanished, attempts);
            });
  }

  private Future<List<KeyedOutcome>> claimAgain(
      List<KeyedTitle> batch, KeyedOutcome[] outcomes, List<Integer> vanished, int attempts) {
    if (vanished.isEmpty()) {
      return Future.succeededFuture(List.of(outcomes));
    }
    if (attempts <= 1) {
      vanished.forEach(
          i ->
              outcomes[i] =
                  new KeyedOutcome(null, new KeyInUseException(batch.get(i).key().key())));
      return Future.succeededFuture(List.of(outcomes));
    }
    List<KeyedTitle> again = vanished.stream().map(batch::get).toList();
    return insertKeyed(again, attempts - 1)
        .map(
            retried -> {
              for (int j = 0; j < vanished.size(); j++) {
                outcomes[vanished.get(j)] = retried.get(j);
              }
              return List.of(outcomes);
            });
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

  private static Task toTask(Row row) {
    return new Task(
        row.getLong("id"),
        row.getString("title"),
        TaskStatus.stored(row.getString("status")),
        TaskResult.stored(row.getString("result")),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"));
  }
}
