package io.taskservice.tasks;

import io.taskservice.changefeed.TaskHistory;
import io.taskservice.config.Settings;
import io.taskservice.counts.TaskCounts;
import io.taskservice.db.Batcher;
import io.taskservice.db.Database;
import io.taskservice.db.StoreUnavailableException;
import io.taskservice.domain.KeyInUseException;
import io.taskservice.domain.KeyReusedException;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.CanonicalTask;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
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
  /** A task's columns, in the representation's order: every statement yielding tasks starts so. */
  static final String COLUMNS =
      "id, title, status, result, queue, priority, run_after, created_at, updated_at";

  // ids follow the input order, so the i-th returned row (by id) belongs to the i-th task; the
  // history's 'created' rows are written by the same statement. due_at: when the task may be
  // claimed (created_at unless it was scheduled). Only what the database chose comes back: the
  // rest of a new task is its request (status 'new', no result, updated_at = created_at), and
  // sending 1,000 titles back costs both sides more than the insert of a bulk create.
  static final String INSERT =
      "WITH created AS (INSERT INTO tasks (title, queue, priority, run_after, due_at)"
          + " SELECT title, queue, priority, run_after, coalesce(run_after, now())"
          + " FROM unnest($1::text[], $2::text[], $3::int2[], $4::timestamptz[])"
          + " WITH ORDINALITY AS t(title, queue, priority, run_after, n)"
          + " ORDER BY n RETURNING id, created_at), "
          + TaskHistory.CREATED
          + " SELECT id, created_at FROM created";
  static final String FIND = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1";
  // concurrent reads by id share one statement: one index scan instead of one round trip each
  static final String FIND_MANY = "SELECT " + COLUMNS + " FROM tasks WHERE id = ANY($1)";

  // Creates with an Idempotency-Key, in one statement. Each key is claimed first (inserted, or
  // taken over once it expired), in key order so that batches racing on other nodes cannot
  // deadlock; only the titles whose key was claimed become tasks, under ids drawn beforehand. A key
  // held by another request is left alone instead of failing the batch (ON CONFLICT): its task is
  // read by FIND_KEYED in a later snapshot, which sees that request's commit.
  static final String INSERT_KEYED =
      "WITH input AS MATERIALIZED ("
          + "SELECT nextval('tasks_id_seq') AS id, title, queue, priority, run_after,"
          + " decode(scope, 'hex') AS scope, key, fingerprint, n"
          + " FROM unnest($1::text[], $2::text[], $3::int2[], $4::timestamptz[], $5::text[],"
          + " $6::text[], $7::text[])"
          + " WITH ORDINALITY AS i(title, queue, priority, run_after, scope, key, fingerprint, n)),"
          + " claimed AS (INSERT INTO idempotency_keys AS k (scope, key, task_id, fingerprint)"
          + " SELECT scope, key, id, fingerprint FROM input ORDER BY scope, key"
          + " ON CONFLICT (scope, key) DO UPDATE SET task_id = excluded.task_id,"
          + " fingerprint = excluded.fingerprint, created_at = now()"
          + " WHERE k.created_at < now() - $8 * interval '1 millisecond' RETURNING task_id),"
          + " created AS (INSERT INTO tasks (id, title, queue, priority, run_after, due_at)"
          + " SELECT id, title, queue, priority, run_after, coalesce(run_after, now())"
          + " FROM input WHERE id IN (SELECT task_id FROM claimed) ORDER BY id"
          + " RETURNING "
          + COLUMNS
          + "), "
          + TaskHistory.CREATED
          + " SELECT created.*, input.n FROM created JOIN input USING (id)";
  static final String FIND_KEYED =
      "SELECT t.id, t.title, t.status, t.result, t.queue, t.priority, t.run_after, t.created_at,"
          + " t.updated_at, encode(k.scope, 'hex') AS scope, k.key, k.fingerprint"
          + " FROM idempotency_keys k JOIN tasks t ON t.id = k.task_id"
          + " WHERE (k.scope, k.key) IN"
          + " (SELECT decode(s, 'hex'), key FROM unnest($1::text[], $2::text[]) AS u(s, key))";

  // A bulk create with an Idempotency-Key, in one statement: the key is claimed for the whole list
  // (its first task, every task id, the list's fingerprint); the tasks are inserted only if it was.
  static final String INSERT_BULK_KEYED =
      "WITH input AS MATERIALIZED ("
          + "SELECT nextval('tasks_id_seq') AS id, title, queue, priority, run_after, n"
          + " FROM unnest($1::text[], $2::text[], $3::int2[], $4::timestamptz[])"
          + " WITH ORDINALITY AS i(title, queue, priority, run_after, n)),"
          + " claimed AS (INSERT INTO idempotency_keys AS k (scope, key, task_id, fingerprint,"
          + " task_ids) SELECT decode($5, 'hex'), $6, min(id), $7, array_agg(id ORDER BY n)"
          + " FROM input"
          + " ON CONFLICT (scope, key) DO UPDATE SET task_id = excluded.task_id,"
          + " fingerprint = excluded.fingerprint, task_ids = excluded.task_ids, created_at = now()"
          + " WHERE k.created_at < now() - $8 * interval '1 millisecond' RETURNING task_id),"
          + " created AS (INSERT INTO tasks (id, title, queue, priority, run_after, due_at)"
          + " SELECT id, title, queue, priority, run_after, coalesce(run_after, now())"
          + " FROM input WHERE EXISTS (SELECT 1 FROM claimed) ORDER BY id"
          + " RETURNING "
          + COLUMNS
          + "), "
          + TaskHistory.CREATED
          + " SELECT * FROM created ORDER BY id";
  static final String FIND_BULK_KEY =
      "SELECT fingerprint, task_ids FROM idempotency_keys"
          + " WHERE scope = decode($1, 'hex') AND key = $2";

  static final int MAX_BATCH = 500;
  // a key whose row vanished between the insert and the look-up (expired and pruned, or its task
  // deleted) is claimed again, a few times at most
  private static final int KEYED_ATTEMPTS = 3;

  private final Pool pool;
  private final long timeoutMs;
  private final TaskCounts counts;
  private final Batcher<NewTask, Task> inserts;
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

  private record KeyedTitle(NewTask task, IdempotencyKey key) {}

  /** One keyed create's outcome within a batch: created or replayed, or why not. */
  private record KeyedOutcome(Created created, RuntimeException failure) {}

  /** A page of tasks, newest first, with the number of tasks matching the filter. */
  public record Page(long count, List<Task> tasks) {}

  /** Stores a new task; its id is assigned by the database. The request must be valid. */
  public Future<Task> create(NewTask task) {
    return answer(inserts.submit(task));
  }

  /**
   * Stores a new task unless {@code key} already stands for one (the IETF Idempotency-Key): then
   * that task is the answer if it was created with the same request, else the call fails with
   * {@link KeyReusedException}. Fails with {@link KeyInUseException} while another call with the
   * key is in progress here. Across nodes, the key's row decides which request creates the task.
   */
  public Future<Created> create(NewTask task, IdempotencyKey key) {
    if (!keysInProgress.add(key)) {
      return Future.failedFuture(new KeyInUseException(key.key()));
    }
    return answer(keyedInserts.submit(new KeyedTitle(task, key)))
        .onComplete(done -> keysInProgress.remove(key))
        .compose(
            outcome ->
                outcome.failure() == null
                    ? Future.succeededFuture(outcome.created())
                    : Future.failedFuture(outcome.failure()));
  }

  /**
   * Stores every task of a bulk create in one statement, all or nothing; the answer is in input
   * order. The requests must be valid.
   */
  public Future<List<Task>> createAll(List<NewTask> batch) {
    return answer(insertAll(batch));
  }

  /**
   * A bulk create with an Idempotency-Key: the tasks created now, or, when the key came before with
   * the same list, that request's tasks as they are now ({@code replayed}). Fails with {@link
   * KeyReusedException} when the key came with another request, {@link KeyInUseException} while
   * another call with it is in progress here.
   */
  public Future<CreatedAll> createAll(List<NewTask> batch, IdempotencyKey key) {
    if (!keysInProgress.add(key)) {
      return Future.failedFuture(new KeyInUseException(key.key()));
    }
    return answer(insertBulkKeyed(batch, key, KEYED_ATTEMPTS))
        .onComplete(done -> keysInProgress.remove(key));
  }

  /** A keyed bulk create's answer. */
  public record CreatedAll(List<Task> tasks, boolean replayed) {}

  private Future<CreatedAll> insertBulkKeyed(
      List<NewTask> batch, IdempotencyKey key, int attempts) {
    String fingerprint = bulkFingerprint(batch);
    Tuple params =
        arrays(batch)
            .addString(key.scope())
            .addString(key.key())
            .addString(fingerprint)
            .addLong(keyTtlMs);
    return guard(
        pool.preparedQuery(INSERT_BULK_KEYED)
            .execute(params)
            .compose(
                rows -> {
                  if (rows.size() > 0) {
                    return Future.succeededFuture(new CreatedAll(toTasks(rows), false));
                  }
                  // the key stands for an earlier request: its tasks, if it was this list
                  return pool.preparedQuery(FIND_BULK_KEY)
                      .execute(Tuple.of(key.scope(), key.key()))
                      .compose(
                          found -> {
                            if (found.size() == 0) {
                              return attempts > 1
                                  ? insertBulkKeyed(batch, key, attempts - 1)
                                  : Future.failedFuture(new KeyInUseException(key.key()));
                            }
                            Row row = found.iterator().next();
                            if (!fingerprint.equals(row.getString("fingerprint"))) {
                              return Future.failedFuture(new KeyReusedException(key.key()));
                            }
                            Long[] ids = row.getArrayOfLongs("task_ids");
                            return pool.preparedQuery(FIND_MANY)
                                .execute(Tuple.of((Object) ids))
                                .map(
                                    tasks -> {
                                      Map<Long, Task> byId = new HashMap<>();
                                      tasks.forEach(t -> byId.put(t.getLong("id"), toTask(t)));
                                      List<Task> inOrder = new ArrayList<>(ids.length);
                                      for (Long id : ids) {
                                        Task task = byId.get(id);
                                        if (task != null) {
                                          inOrder.add(task);
                                        }
                                      }
                                      return new CreatedAll(inOrder, true);
                                    });
                          });
                }));
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
  public Future<Long> count(TaskFilter filter) {
    return answer(counts.count(filter.status(), filter.queue()));
  }

  public Future<List<Task>> page(TaskFilter filter, long offset, int limit) {
    return list(TaskListSql.PAGE, filter, List.of(limit, offset));
  }

  /**
   * Up to {@code limit} tasks with ids at most {@code maxId}, newest first, skipping {@code
   * offset}.
   */
  public Future<List<Task>> newestUpTo(TaskFilter filter, long maxId, int offset, int limit) {
    return list(TaskListSql.BELOW, filter, List.of(maxId, limit, offset));
  }

  /**
   * Up to {@code limit} tasks with ids at least {@code minId}, oldest first, skipping {@code
   * offset}.
   */
  public Future<List<Task>> oldestFrom(TaskFilter filter, long minId, int offset, int limit) {
    return list(TaskListSql.ABOVE, filter, List.of(minId, limit, offset));
  }

  private Future<List<Task>> list(TaskListSql kind, TaskFilter filter, List<Object> params) {
    Tuple tuple = Tuple.tuple();
    filter.status().ifPresent(status -> tuple.addString(status.wire()));
    filter.queue().ifPresent(tuple::addString);
    params.forEach(tuple::addValue);
    return answer(
        guard(
            pool.preparedQuery(kind.sql(filter, COLUMNS))
                .execute(tuple)
                .map(TaskRepository::toTasks)));
  }

  /** The fields of {@code batch} as the insert statements' first four arrays. */
  private static Tuple arrays(List<NewTask> batch) {
    return Tuple.tuple()
        .addArrayOfString(batch.stream().map(NewTask::title).toArray(String[]::new))
        .addArrayOfString(batch.stream().map(NewTask::queue).toArray(String[]::new))
        .addArrayOfShort(batch.stream().map(t -> (short) t.priority()).toArray(Short[]::new))
        .addArrayOfOffsetDateTime(
            batch.stream().map(NewTask::runAfter).toArray(OffsetDateTime[]::new));
  }

  private Future<List<Task>> insertAll(List<NewTask> batch) {
    return guard(
        pool.preparedQuery(INSERT)
            .execute(arrays(batch))
            .map(
                rows -> {
                  if (rows.size() != batch.size()) {
                    throw new IllegalStateException(
                        batch.size() + " tasks inserted, " + rows.size() + " returned");
                  }
                  List<Row> byId = new ArrayList<>(rows.size());
                  rows.forEach(byId::add);
                  byId.sort(Comparator.comparingLong(row -> row.getLong(0)));
                  List<Task> tasks = new ArrayList<>(byId.size());
                  for (int i = 0; i < byId.size(); i++) {
                    Row row = byId.get(i);
                    tasks.add(batch.get(i).created(row.getLong(0), row.getOffsetDateTime(1)));
                  }
                  return tasks;
                }));
  }

  private Future<List<KeyedOutcome>> insertKeyed(List<KeyedTitle> batch, int attempts) {
    Tuple params =
        arrays(batch.stream().map(KeyedTitle::task).toList())
            .addArrayOfString(batch.stream().map(k -> k.key().scope()).toArray(String[]::new))
            .addArrayOfString(batch.stream().map(k -> k.key().key()).toArray(String[]::new))
            .addArrayOfString(batch.stream().map(k -> fingerprint(k.task())).toArray(String[]::new))
            .addLong(keyTtlMs);
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
              Map<IdempotencyKey, String> fingerprints = new HashMap<>();
              rows.forEach(
                  row -> {
                    IdempotencyKey key =
                        new IdempotencyKey(row.getString("scope"), row.getString("key"));
                    byKey.put(key, toTask(row));
                    fingerprints.put(key, row.getString("fingerprint"));
                  });
              List<Integer> vanished = new ArrayList<>();
              for (int i : taken) {
                KeyedTitle wanted = batch.get(i);
                Task task = byKey.get(wanted.key());
                if (task == null) {
                  vanished.add(i);
                } else if (sameRequest(fingerprints.get(wanted.key()), task, wanted.task())) {
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

  /**
   * The canonical form of a create, as its idempotency key stores it: two requests with a key are
   * the same request when their fingerprints are equal (instants in UTC, defaults applied).
   */
  static String fingerprint(NewTask task) {
    return "create " + CanonicalTask.of(task);
  }

  /** The canonical form of a bulk create: its items in order, under the bulk endpoint's name. */
  static String bulkFingerprint(List<NewTask> batch) {
    return "bulk " + CanonicalTask.of(batch);
  }

  /** Keys stored before fingerprints were: the task's own fields stand for the request. */
  private static boolean sameRequest(String stored, Task task, NewTask wanted) {
    if (stored != null) {
      return stored.equals(fingerprint(wanted));
    }
    return fingerprint(new NewTask(task.title(), task.queue(), task.priority(), task.runAfter()))
        .equals(fingerprint(wanted));
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

  /** A task from a row that starts with {@link #COLUMNS} (read by position: no name look-ups). */
  static Task toTask(Row row) {
    return new Task(
        row.getLong(0),
        row.getString(1),
        TaskStatus.stored(row.getString(2)),
        TaskResult.stored(row.getString(3)),
        row.getString(4),
        row.getShort(5),
        row.getOffsetDateTime(6),
        row.getOffsetDateTime(7),
        row.getOffsetDateTime(8));
  }
}
