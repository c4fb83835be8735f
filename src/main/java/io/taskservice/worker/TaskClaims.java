package io.taskservice.worker;

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
 * The worker's SQL: {@code start_processing} and {@code complete_processing} as in the reference
 * service (each one transaction that locks the rows with {@code SELECT ... FOR UPDATE}), plus
 * leases, the recovery sweep and hand-back. Every status change is checked by the {@link
 * TaskStatus} state machine row by row; claims and completions that arrive together share one
 * transaction. One instance per worker verticle.
 */
public final class TaskClaims {
  // rows per claim or completion statement: what arrives meanwhile waits for the next
  static final int MAX_BATCH = 500;

  // lock in id order, so that concurrent batches over the same rows cannot deadlock
  static final String LOCK_FOR_CLAIM =
      "SELECT id, title, status, coalesce(lease_until < now(), false) AS lease_expired"
          + " FROM tasks WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  // lost messages and expired leases; rows that others are locking right now are skipped
  static final String LOCK_STALE =
      "SELECT id, title, status, coalesce(lease_until < now(), false) AS lease_expired"
          + " FROM tasks"
          + " WHERE (status = 'new' AND created_at < now() - $1 * interval '1 millisecond')"
          + " OR (status = 'processing' AND lease_until < now())"
          + " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED";
  // the lease counts from now, not from the transaction's start: time spent waiting for a row
  // lock must not shorten it
  // history: 'claimed', or 'recovered' with why, per id ($6, $7)
  static final String CLAIM =
      "WITH claimed AS (UPDATE tasks SET status = $2, claim_token = $3, claimed_by = $4,"
          + " lease_until = clock_timestamp() + $5 * interval '1 millisecond', updated_at = now()"
          + " WHERE id = ANY($1) RETURNING id, updated_at)"
          + " INSERT INTO task_history (task_id, at, event, status, worker, reason)"
          + " SELECT c.id, c.updated_at, e.event, $2, $4, e.reason FROM claimed c"
          + " JOIN unnest($1::bigint[], $6::text[], $7::text[]) AS e(id, event, reason) USING (id)"
          + " ORDER BY c.id";
  static final String LOCK_FOR_COMPLETION =
      "SELECT id, title, status, result, claim_token, created_at, updated_at"
          + " FROM tasks WHERE id = ANY($1) ORDER BY id FOR UPDATE";
  // the token stays on the finished row: a retried completion whose first call committed after
  // it had timed out finds its own token there and is recognised as already done
  static final String COMPLETE =
      "WITH done AS (UPDATE tasks AS t SET status = u.status, result = u.result,"
          + " updated_at = now(), claimed_by = NULL, lease_until = NULL"
          + " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, status, result)"
          + " WHERE t.id = u.id RETURNING t.id, t.status, t.result, t.created_at, t.updated_at),"
          + " history AS (INSERT INTO task_history (task_id, at, event, status, result, worker)"
          + " SELECT id, updated_at, 'finished', status, result, $4 FROM done ORDER BY id)"
          + " SELECT id, created_at, updated_at FROM done";
  private static final String HANDED_BACK =
      "INSERT INTO task_history (task_id, at, event, status, worker)"
          + " SELECT id, updated_at, 'handed_back', 'processing',";

  // hand back: the lease ends now, so that the next sweep of any worker takes the task over.
  // The rows are locked in id order first, as claims and completions lock them.
  static final String RELEASE =
      "WITH released AS (UPDATE tasks SET lease_until = now(), updated_at = now()"
          + " WHERE id IN (SELECT id FROM tasks WHERE status = 'processing' AND (id, claim_token)"
          + " IN (SELECT * FROM unnest($1::bigint[], $2::uuid[])) ORDER BY id FOR UPDATE)"
          + " RETURNING id, updated_at) "
          + HANDED_BACK
          + " $3 FROM released ORDER BY id";
  // the same for claims whose transaction failed without saying whether it committed
  static final String RELEASE_UNCERTAIN =
      "WITH released AS (UPDATE tasks SET lease_until = now(), updated_at = now()"
          + " WHERE id IN (SELECT id FROM tasks WHERE status = 'processing'"
          + " AND claim_token = ANY($1) ORDER BY id FOR UPDATE)"
          + " RETURNING id, updated_at, claim_token),"
          + " history AS ("
          + HANDED_BACK
          + " $2 FROM released ORDER BY id)"
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
  private final Batcher<Long, Optional<Claim>> claims;
  private final Batcher<Claim, Optional<Completion>> completions;
  // Tokens of claim transactions that failed without telling whether they committed (the call
  // timed out, the connection broke): such a claim may hold tasks this worker never received.
  // Each token is kept until the lease it may have taken would have run out anyway.
  private final Map<UUID, Long> uncertain = new HashMap<>();

  /**
   * @param worker the holder's name, stored with each claim for operators
   * @param leaseMs how long a claim lasts before another worker may take the task over
   */
  public TaskClaims(Pool pool, long timeoutMs, String worker, long leaseMs, OutcomePolicy policy) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.worker = worker;
    this.leaseMs = leaseMs;
    this.policy = policy;
    // at most two transactions of each kind in flight; what arrives meanwhile goes together
    this.claims = new Batcher<>(MAX_BATCH, 2, this::claimAll);
    this.completions = new Batcher<>(MAX_BATCH, 2, this::completeAll);
  }

  /**
   * {@code start_processing}: claims the task if it is new or its previous claim expired. Empty
   * when another worker holds it or it is already final (a duplicate or late message).
   */
  public Future<Optional<Claim>> startProcessing(long id) {
    return claims.submit(id);
  }

  /**
   * The recovery sweep: claims up to {@code limit} tasks that stayed new longer than {@code
   * newGraceMs} (their message was lost) or whose lease expired (their holder died).
   */
  public Future<List<Claim>> claimStale(long newGraceMs, int limit) {
    return claim(LOCK_STALE, Tuple.of(newGraceMs, limit), ClaimReason.NEW_UNCLAIMED)
        .map(claimed -> List.copyOf(claimed.values()));
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

  /**
   * One claim transaction for a batch of messages. An id sent twice (a duplicate delivery, a replay
   * of a keyed create) may arrive twice in one batch: its claim is answered once, to the first, and
   * the others get nothing, as a duplicate in a later batch would.
   */
  private Future<List<Optional<Claim>>> claimAll(List<Long> ids) {
    Long[] distinct = ids.stream().distinct().toArray(Long[]::new);
    return claim(LOCK_FOR_CLAIM, Tuple.of((Object) distinct), ClaimReason.MESSAGE)
        .map(
            claimed -> {
              Set<Long> answered = new HashSet<>();
              return ids.stream()
                  .map(
                      id ->
                          answered.add(id)
                              ? Optional.ofNullable(claimed.get(id))
                              : Optional.<Claim>empty())
                  .toList();
            });
  }

  /**
   * One claim transaction: locks the rows {@code lockSql} selects and claims those that may be
   * claimed, under one new token. When the call fails, whether the transaction committed is
   * unknown: its token is kept for {@link #releaseUncertain}.
   */
  /** Claim transactions whose outcome is unknown and whose lease may not have ended yet. */
  int uncertainClaims() {
    return uncertain.size();
  }

  private Future<Map<Long, Claim>> claim(String lockSql, Tuple params, ClaimReason reasonIfNew) {
    UUID token = UUID.randomUUID();
    return guard(
            retrying(
                "claim",
                () ->
                    pool.withTransaction(
                        conn ->
                            conn.preparedQuery(lockSql)
                                .execute(params)
                                .compose(rows -> claimLocked(conn, rows, token, reasonIfNew)))))
        .onFailure(
            e -> uncertain.put(token, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMs)));
  }

  /** Moves the locked rows that may be claimed to processing, under the transaction's token. */
  private Future<Map<Long, Claim>> claimLocked(
      SqlConnection conn, RowSet<Row> locked, UUID token, ClaimReason reasonIfNew) {
    Map<Long, Claim> claimed = new LinkedHashMap<>();
    for (Row row : locked) {
      TaskStatus status = TaskStatus.stored(row.getString("status"));
      if (!status.isClaimable(row.getBoolean("lease_expired"))) {
        continue;
      }
      status.transitionTo(TaskStatus.PROCESSING);
      ClaimReason reason = status == TaskStatus.NEW ? reasonIfNew : ClaimReason.LEASE_EXPIRED;
      long id = row.getLong("id");
      claimed.put(id, new Claim(id, row.getString("title"), token, reason));
    }
    if (claimed.isEmpty()) {
      return Future.succeededFuture(claimed);
    }
    Long[] ids = claimed.keySet().toArray(Long[]::new);
    String[] events = new String[ids.length];
    String[] reasons = new String[ids.length];
    int i = 0;
    for (Claim claim : claimed.values()) {
      events[i] = claim.reason() == ClaimReason.MESSAGE ? "claimed" : "recovered";
      reasons[i] = claim.reason() == ClaimReason.MESSAGE ? null : claim.reason().wire();
      i++;
    }
    return conn.preparedQuery(CLAIM)
        .execute(
            Tuple.of(ids, TaskStatus.PROCESSING.wire(), token, worker, leaseMs, events, reasons))
        .map(claimed);
  }

  /**
   * One completion transaction for a batch of claims. A claim completes only if the row still
   * carries its token: two claims of one task in a batch (a late one and the current one) never
   * both count.
   */
  private Future<List<Optional<Completion>>> completeAll(List<Claim> batch) {
    Set<ClaimKey> submitted = new HashSet<>();
    batch.forEach(c -> submitted.add(ClaimKey.of(c)));
    Long[] ids = batch.stream().map(Claim::taskId).distinct().toArray(Long[]::new);
    return guard(
            retrying(
                "completion",
                () ->
                    pool.withTransaction(
                        conn ->
                            conn.preparedQuery(LOCK_FOR_COMPLETION)
                                .execute(Tuple.of((Object) ids))
                                .compose(locked -> completeLocked(conn, locked, submitted)))))
        .map(
            done -> {
              // a claim submitted twice in one batch is answered once
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

  private Future<Map<ClaimKey, Completion>> completeLocked(
      SqlConnection conn, RowSet<Row> locked, Set<ClaimKey> submitted) {
    Map<ClaimKey, Completion> done = new HashMap<>();
    List<Long> ids = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    List<String> results = new ArrayList<>();
    Map<Long, ClaimKey> keys = new HashMap<>();
    Map<Long, Outcome> outcomes = new HashMap<>();
    for (Row row : locked) {
      long id = row.getLong("id");
      ClaimKey key = new ClaimKey(id, row.getUUID("claim_token"));
      if (!submitted.contains(key)) {
        continue; // the lease expired and another claim owns the task now
      }
      TaskStatus status = TaskStatus.stored(row.getString("status"));
      if (status.isFinal()) {
        // this claim's own completion, committed after its call had given up: report it now
        done.put(key, completion(id, finishedOutcome(status, row), row));
        continue;
      }
      Outcome outcome = policy.decide(row.getString("title"));
      status.transitionTo(outcome.status());
      ids.add(id);
      statuses.add(outcome.status().wire());
      results.add(outcome.result().wire());
      keys.put(id, key);
      outcomes.put(id, outcome);
    }
    if (ids.isEmpty()) {
      return Future.succeededFuture(done);
    }
    Tuple params =
        Tuple.of(
            ids.toArray(Long[]::new),
            statuses.toArray(String[]::new),
            results.toArray(String[]::new),
            worker);
    return conn.preparedQuery(COMPLETE)
        .execute(params)
        .map(
            rows -> {
              for (Row row : rows) {
                long id = row.getLong("id");
                done.put(keys.get(id), completion(id, outcomes.get(id), row));
              }
              return done;
            });
  }

  private static Outcome finishedOutcome(TaskStatus status, Row row) {
    return new Outcome(status, TaskResult.stored(row.getString("result")));
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
