package io.taskservice.worker;

import io.taskservice.changefeed.HistoryChange;
import io.taskservice.db.Batcher;
import io.taskservice.db.Database;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.Outcome;
import io.taskservice.domain.OutcomePolicy;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's SQL: claims per queue (the reference's {@code start_processing}, pulled by the
 * worker within the queue's settings) and {@code complete_processing} as in the reference service
 * (each one transaction that locks the rows with {@code SELECT ... FOR UPDATE}), plus leases, the
 * recovery sweep and hand-back. Every status change is checked by the {@link TaskStatus} state
 * machine row by row; claims and completions that arrive together share one transaction. One
 * instance per worker verticle.
 */
public final class TaskClaims {
  // rows per claim or completion statement: what arrives meanwhile waits for the next
  static final int MAX_BATCH = 500;

  // The queue's settings are read under its advisory lock, taken first in the claim's transaction
  // (shared; exclusive while the queue is capped, and by PATCH): a claim either commits before a
  // PATCH takes the lock, or reads what the PATCH wrote. Two int4 keys: a space of their own,
  // apart from the sequencer's bigint key.
  static final int QUEUE_LOCK_SPACE = 74_110;
  static final String LOCK_SHARED = "SELECT pg_advisory_xact_lock_shared(74110, hashtext($1))";
  static final String LOCK_EXCLUSIVE = "SELECT pg_advisory_xact_lock(74110, hashtext($1))";
  // the queue's processing count from the exact counts: what its max_running is checked against
  static final String SETTINGS =
      "SELECT coalesce(q.paused, false) AS paused, q.max_running, q.updated_at,"
          + " (SELECT coalesce(sum(n), 0) FROM task_counts c"
          + " WHERE c.queue = $1 AND c.status = 'processing')::bigint AS running"
          + " FROM (VALUES (1)) AS one LEFT JOIN queues q ON q.name = $1";
  // the queues with a processing task whose lease has ended: the processing rows through the
  // status index, once per sweep round
  static final String EXPIRED_QUEUES =
      "SELECT DISTINCT queue FROM tasks WHERE status = 'processing' AND lease_until < now()";
  // The claim, one statement: up to $2 due new tasks of queue $1, lower priority first, then the
  // earliest due (one range of the claim index per priority, each locked as it is read, rows others
  // are locking skipped), and, in a sweep, up to $3 of the queue's tasks whose lease expired. The
  // lease counts from now, not from the transaction's start. History: 'claimed', or 'recovered'
  // with why: lease_expired, member_left when the lease was ended by a survivor because its
  // holder left the cluster (the task's last history row says so: worker/MemberLeft), or
  // new_unclaimed for a sweep's task that was due and claimable for longer than the grace $7 (ms,
  // -1 outside a sweep; claimable since the queue's settings last changed, $8). Takeovers and
  // new tasks together stay within the node's room $9: takeovers first.
  static final String CLAIM =
      "WITH due AS (SELECT c.id, p.priority, c.due_at FROM generate_series(0, 9) AS p(priority)"
          + " CROSS JOIN LATERAL (SELECT t.id, t.due_at FROM tasks t"
          + " WHERE t.status = 'new' AND t.queue = $1 AND t.priority = p.priority"
          + " AND t.due_at <= now() ORDER BY t.due_at, t.id LIMIT $2 FOR UPDATE SKIP LOCKED) AS c"
          + " ORDER BY p.priority, c.due_at, c.id LIMIT $2),"
          // the processing rows (as many as the workers hold) through the status index, never the
          // queue's rows through its index (a backlog of any size): the queue is compared as an
          // expression that index cannot serve
          + " expired AS (SELECT t.id FROM tasks t WHERE t.status = 'processing'"
          + " AND (t.queue || '') = $1 AND t.lease_until < now()"
          + " ORDER BY t.id LIMIT $3 FOR UPDATE SKIP LOCKED),"
          + " claimed AS (UPDATE tasks t SET status = 'processing', claim_token = $4,"
          + " claimed_by = $5, lease_until = clock_timestamp() + $6 * interval '1 millisecond',"
          + " updated_at = now()"
          + " FROM (SELECT id, 'processing' AS was FROM expired UNION ALL"
          + " (SELECT id, 'new' FROM due ORDER BY priority, due_at, id"
          + " LIMIT greatest(0, $9 - (SELECT count(*) FROM expired)))) AS p WHERE t.id = p.id"
          + " RETURNING t.id, t.title, t.updated_at, p.was,"
          + " CASE WHEN p.was = 'processing' THEN CASE WHEN (SELECT h.reason FROM task_history h"
          + " WHERE h.task_id = t.id ORDER BY h.seq DESC LIMIT 1) = 'member_left'"
          + " THEN 'member_left' ELSE 'lease_expired' END"
          + " WHEN $7 >= 0 AND greatest(t.due_at, $8) < now() - $7 * interval '1 millisecond'"
          + " THEN 'new_unclaimed' END AS reason),"
          + " history AS (INSERT INTO task_history_rows (task_id, at, change, worker)"
          + " SELECT id, updated_at, "
          + HistoryChange.codeOf(List.of("claimed", "recovered"), null, null, "reason")
          + ", (SELECT "
          + HistoryChange.workerOf("$5")
          + ") FROM claimed ORDER BY id)"
          + " SELECT id, title, was, reason FROM claimed ORDER BY id";
  // The completion, one statement for a batch: each task moves from processing to its outcome only
  // while it still carries the claim's token (a cancel or a takeover changed it: the row is left
  // alone). The rows of the batch follow as the statement's snapshot saw them, before the UPDATE:
  // one that is final already and carries its claim's token is this worker's own completion that
  // committed after its call had given up (the token stays on finished rows for that). Every row
  // is found by id through the primary key, one probe per input row: the status is compared as an
  // expression the status index cannot serve (its range of processing entries, live and dead, is
  // no way to find a few rows by id), and no id list is offered to the UPDATE (the planner then
  // probed the whole list once per input row). No row is locked before its
  // UPDATE: a deadlock with another writer aborts the transaction, which is then run again.
  static final String COMPLETE =
      "WITH input AS (SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[])"
          + " AS u(id, token, status, result)),"
          + " done AS (UPDATE tasks AS t SET status = u.status, result = u.result,"
          + " updated_at = now(), claimed_by = NULL, lease_until = NULL"
          + " FROM input AS u WHERE t.id = u.id AND t.claim_token = u.token"
          + " AND (t.status || '') = 'processing'"
          + " RETURNING t.id, t.claim_token, t.status, t.result, t.created_at, t.updated_at),"
          + " history AS (INSERT INTO task_history_rows (task_id, at, change, worker)"
          + " SELECT id, updated_at, "
          + HistoryChange.codeOf(List.of("finished"), "status", "result", null)
          + ", (SELECT "
          + HistoryChange.workerOf("$5")
          + ") FROM done ORDER BY id)"
          + " SELECT id, claim_token, status, result, created_at, updated_at FROM done"
          + " UNION ALL SELECT id, claim_token, status, result, created_at, updated_at"
          + " FROM tasks WHERE id = ANY($1) AND status <> 'processing'";

  private static String handedBack(String worker) {
    return "INSERT INTO task_history_rows (task_id, at, change, worker)"
        + " SELECT id, updated_at, "
        + HistoryChange.HANDED_BACK.code()
        + ", (SELECT "
        + HistoryChange.workerOf(worker)
        + ") FROM released ORDER BY id";
  }

  // hand back: the lease ends now, so that the next sweep of any worker takes the task over.
  // The rows are locked in id order first, as claims and completions lock them.
  static final String RELEASE =
      "WITH released AS (UPDATE tasks SET lease_until = now(), updated_at = now()"
          + " WHERE id IN (SELECT id FROM tasks WHERE status = 'processing' AND (id, claim_token)"
          + " IN (SELECT * FROM unnest($1::bigint[], $2::uuid[])) ORDER BY id FOR UPDATE)"
          + " RETURNING id, updated_at) "
          + handedBack("$3");
  // the same for claims whose transaction failed without saying whether it committed
  static final String RELEASE_UNCERTAIN =
      "WITH released AS (UPDATE tasks SET lease_until = now(), updated_at = now()"
          + " WHERE id IN (SELECT id FROM tasks WHERE status = 'processing'"
          + " AND claim_token = ANY($1) ORDER BY id FOR UPDATE)"
          + " RETURNING id, updated_at, claim_token),"
          + " history AS ("
          + handedBack("$2")
          + ")"
          + " SELECT claim_token FROM released";

  private static final Logger log = LoggerFactory.getLogger(TaskClaims.class);
  private static final int MAX_ATTEMPTS = 3;

  /** One claim of one task: completions and hand-backs are tied to it, never to the id alone. */
  private record ClaimKey(long taskId, UUID token) {
    static ClaimKey of(Claim claim) {
      return new ClaimKey(claim.taskId(), claim.token());
    }
  }

  private final Pool pool;
  private final long timeoutMs;
  private final String worker;
  private final long leaseMs;
  private final OutcomePolicy policy;
  private final long newGraceMs;
  // queues last seen with a max_running: their claims take the exclusive lock at once
  private final Set<String> capped = new HashSet<>();
  // the queues where the last look found a lease ended; null: not looked, every sweep looks
  private Set<String> expiredIn;
  private final Batcher<Claim, Optional<Completion>> completions;
  // Tokens of claim transactions that failed without telling whether they committed (the call
  // timed out, the connection broke): such a claim may hold tasks this worker never received.
  // Each token is kept until the lease it may have taken would have run out anyway.
  private final Map<UUID, Long> uncertain = new HashMap<>();

  /**
   * @param worker the holder's name, stored with each claim for operators
   * @param leaseMs how long a claim lasts before another worker may take the task over
   * @param newGraceMs how long a due task may wait before a sweep that claims it counts it as
   *     recovered (its wake-up was lost)
   */
  public TaskClaims(
      Pool pool,
      long timeoutMs,
      String worker,
      long leaseMs,
      long newGraceMs,
      OutcomePolicy policy) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.worker = worker;
    this.leaseMs = leaseMs;
    this.policy = policy;
    this.newGraceMs = newGraceMs;
    // at most two completion transactions in flight; what arrives meanwhile goes together
    this.completions = new Batcher<>(MAX_BATCH, 2, this::completeAll);
  }

  /**
   * What one claim asked for and got.
   *
   * @param claimed the tasks claimed, in id order
   * @param allowed how many new tasks the queue's settings let this claim take (0 when paused)
   * @param paused whether the queue is paused
   * @param capped whether the queue has a cluster-wide max_running
   */
  public record Claimed(List<Claim> claimed, int allowed, boolean paused, boolean capped) {}

  /**
   * Claims up to {@code room} due tasks of {@code queue} (and, in a sweep, up to {@code room} tasks
   * whose lease expired), within the queue's settings: nothing while it is paused, never more
   * processing than its max_running. One transaction under the queue's advisory lock.
   *
   * @param sweep whether this claim is the recovery sweep's: it takes expired leases over, and
   *     counts the tasks that waited past the grace as recovered
   */
  /**
   * Looks for ended leases before a sweep round: the round's sweeps of other queues then skip the
   * takeover (the processing rows are read once, not once per queue swept). When the look fails,
   * every sweep looks for itself.
   */
  public Future<Void> findExpired() {
    return guard(pool.preparedQuery(EXPIRED_QUEUES).execute())
        .onSuccess(
            rows -> {
              Set<String> found = new HashSet<>();
              rows.forEach(row -> found.add(row.getString(0)));
              expiredIn = found;
            })
        .onFailure(e -> expiredIn = null)
        .mapEmpty();
  }

  /** The leases of {@code queues}' tasks were ended just now: their next sweeps take them over. */
  public void leasesEnded(Collection<String> queues) {
    if (expiredIn != null) {
      expiredIn.addAll(queues);
    }
  }

  public Future<Claimed> claim(String queue, int room, boolean sweep) {
    boolean exclusive = capped.contains(queue);
    return claim(queue, room, sweep, exclusive)
        .compose(
            claimed -> {
              if (claimed.capped()) {
                capped.add(queue);
              } else {
                capped.remove(queue);
              }
              // capped meanwhile: claim again under the exclusive lock
              return claimed.capped() && !exclusive
                  ? claim(queue, room, sweep, true)
                  : Future.succeededFuture(claimed);
            });
  }

  private Future<Claimed> claim(String queue, int room, boolean sweep, boolean exclusive) {
    UUID token = UUID.randomUUID();
    return guard(
            retrying(
                "claim",
                () ->
                    pool.withTransaction(
                        conn ->
                            conn.preparedQuery(exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED)
                                .execute(Tuple.of(queue))
                                .compose(
                                    locked -> conn.preparedQuery(SETTINGS).execute(Tuple.of(queue)))
                                .compose(
                                    settings ->
                                        claimWithin(
                                            conn,
                                            settings.iterator().next(),
                                            queue,
                                            room,
                                            sweep,
                                            exclusive,
                                            token)))))
        .onFailure(
            e -> uncertain.put(token, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMs)));
  }

  private Future<Claimed> claimWithin(
      SqlConnection conn,
      Row settings,
      String queue,
      int room,
      boolean sweep,
      boolean exclusive,
      UUID token) {
    boolean paused = settings.getBoolean("paused");
    Integer maxRunning = settings.getInteger("max_running");
    boolean isCapped = maxRunning != null;
    if (isCapped && !exclusive) {
      // a shared lock cannot keep a cap: the caller claims again exclusively
      return Future.succeededFuture(new Claimed(List.of(), 0, paused, true));
    }
    int allowed =
        paused
            ? 0
            : isCapped
                ? (int) Math.max(0, Math.min(room, maxRunning - settings.getLong("running")))
                : room;
    // a sweep takes leases over only where they may have ended: the processing rows of every
    // queue are read once a round (findExpired), not once per queue swept
    int takeovers =
        paused || !sweep || (expiredIn != null && !expiredIn.contains(queue)) ? 0 : room;
    if (allowed == 0 && takeovers == 0) {
      return Future.succeededFuture(new Claimed(List.of(), allowed, paused, isCapped));
    }
    Tuple params =
        Tuple.tuple()
            .addString(queue)
            .addInteger(allowed)
            .addInteger(takeovers)
            .addUUID(token)
            .addString(worker)
            .addLong(leaseMs)
            .addLong(sweep && !isCapped ? newGraceMs : -1L)
            .addOffsetDateTime(settings.getOffsetDateTime("updated_at"))
            .addInteger(room);
    return conn.preparedQuery(CLAIM)
        .execute(params)
        .map(
            rows -> {
              List<Claim> claimed = new ArrayList<>(rows.size());
              for (Row row : rows) {
                // the statement's conditions are the state machine's: checked again here
                TaskStatus.stored(row.getString("was")).transitionTo(TaskStatus.PROCESSING);
                ClaimReason reason =
                    row.getString("reason") == null
                        ? ClaimReason.MESSAGE
                        : ClaimReason.valueOf(
                            row.getString("reason").toUpperCase(java.util.Locale.ROOT));
                claimed.add(
                    new Claim(row.getLong("id"), row.getString("title"), queue, token, reason));
              }
              return new Claimed(claimed, allowed, paused, isCapped);
            });
  }

  /**
   * {@code complete_processing}: sets the outcome the policy decides, if the claim still holds the
   * task. Empty when the claim was lost: the lease expired and another worker took over.
   */
  public Future<Optional<Completion>> completeProcessing(Claim claim) {
    return completions.submit(claim);
  }

  /** Hands claims back: their leases end now, so another worker takes them at once. */
  public Future<Integer> release(List<Claim> held) {
    if (held.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Long[] ids = held.stream().map(Claim::taskId).toArray(Long[]::new);
    UUID[] tokens = held.stream().map(Claim::token).toArray(UUID[]::new);
    // not Tuple.of(ids, tokens): that picks Tuple.of(Object, Object...) and spreads the tokens
    Tuple params = Tuple.tuple().addArrayOfLong(ids).addArrayOfUUID(tokens).addString(worker);
    return guard(
        retrying(
            "hand-back", () -> pool.preparedQuery(RELEASE).execute(params).map(RowSet::rowCount)));
  }

  /**
   * Hands back whatever a claim transaction that failed without an answer may have claimed after
   * all (it committed once its call had given up): those tasks are held by nobody, and would
   * otherwise wait for their lease to run out. Returns how many tasks that released.
   */
  public Future<Integer> releaseUncertain() {
    long now = System.nanoTime();
    uncertain.values().removeIf(until -> until - now <= 0);
    if (uncertain.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Tuple params = Tuple.of(uncertain.keySet().toArray(UUID[]::new), worker);
    return guard(
        retrying(
            "hand-back",
            () ->
                pool.preparedQuery(RELEASE_UNCERTAIN)
                    .execute(params)
                    .map(
                        rows -> {
                          // a transaction commits once: a token that released something is
                          // settled
                          rows.forEach(row -> uncertain.remove(row.getUUID("claim_token")));
                          return rows.rowCount();
                        })));
  }

  /** Claim transactions whose outcome is unknown and whose lease may not have ended yet. */
  int uncertainClaims() {
    return uncertain.size();
  }

  /**
   * One completion transaction for a batch of claims. A claim completes only if the row still
   * carries its token: two claims of one task in a batch (a late one and the current one) never
   * both count.
   */
  private Future<List<Optional<Completion>>> completeAll(List<Claim> batch) {
    // the outcome is decided here, from the title the claim read; a claim submitted twice in one
    // batch is sent once
    Map<ClaimKey, Outcome> outcomes = new LinkedHashMap<>();
    batch.forEach(c -> outcomes.computeIfAbsent(ClaimKey.of(c), k -> decide(c)));
    List<Long> ids = new ArrayList<>();
    List<UUID> tokens = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    List<String> results = new ArrayList<>();
    outcomes.forEach(
        (key, outcome) -> {
          ids.add(key.taskId());
          tokens.add(key.token());
          statuses.add(outcome.status().wire());
          results.add(outcome.result().wire());
        });
    Tuple params =
        Tuple.tuple()
            .addArrayOfLong(ids.toArray(Long[]::new))
            .addArrayOfUUID(tokens.toArray(UUID[]::new))
            .addArrayOfString(statuses.toArray(String[]::new))
            .addArrayOfString(results.toArray(String[]::new))
            .addString(worker);
    return guard(
            retrying(
                "completion",
                () -> pool.preparedQuery(COMPLETE).execute(params).map(TaskClaims::read)))
        .map(
            done -> {
              Set<ClaimKey> answered = new HashSet<>();
              return batch.stream()
                  .map(ClaimKey::of)
                  .map(
                      key ->
                          answered.add(key)
                              ? Optional.ofNullable(done.get(key))
                              : Optional.<Completion>empty())
                  .toList();
            });
  }

  /** The outcome of a claimed task: what the policy decides, a legal move from processing. */
  private Outcome decide(Claim claim) {
    Outcome outcome = policy.decide(claim.title());
    TaskStatus.PROCESSING.transitionTo(outcome.status());
    return outcome;
  }

  /**
   * The completions of a batch by claim: the tasks its claims completed now, then those they had
   * completed before (final rows carrying a claim's token); other rows (cancelled, taken over)
   * complete nothing.
   */
  private static Map<ClaimKey, Completion> read(RowSet<Row> rows) {
    Map<ClaimKey, Completion> done = new HashMap<>();
    for (Row row : rows) {
      TaskStatus status = TaskStatus.stored(row.getString("status"));
      if (!status.isFinal() || row.getUUID("claim_token") == null) {
        continue;
      }
      long id = row.getLong("id");
      Outcome outcome = new Outcome(status, TaskResult.stored(row.getString("result")));
      done.putIfAbsent(new ClaimKey(id, row.getUUID("claim_token")), completion(id, outcome, row));
    }
    return done;
  }

  private static Completion completion(long id, Outcome outcome, Row row) {
    Duration took =
        Duration.between(row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"));
    return new Completion(id, outcome, took);
  }

  /**
   * Runs {@code transaction} again when PostgreSQL aborted it to break a deadlock or a
   * serialization conflict: it rolled back, so running it again is safe. Rows are locked in id
   * order everywhere, so this happens only against other writers (hand-typed SQL).
   */
  private <T> Future<T> retrying(String what, Supplier<Future<T>> transaction) {
    return retrying(what, transaction, MAX_ATTEMPTS);
  }

  private <T> Future<T> retrying(String what, Supplier<Future<T>> transaction, int attempts) {
    return transaction
        .get()
        .recover(
            failure -> {
              if (attempts <= 1 || !Database.isRetryable(failure)) {
                return Future.failedFuture(failure);
              }
              log.warn(
                  "{}: {} transaction aborted by PostgreSQL ({}); running it again",
                  worker,
                  what,
                  failure.getMessage());
              return retrying(what, transaction, attempts - 1);
            });
  }

  private <T> Future<T> guard(Future<T> call) {
    return Database.guard(call, timeoutMs);
  }
}
