package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.Outcome;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskResult;
import io.taskservice.domain.TaskStatus;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Claims per queue and complete_processing under concurrency, leases and recovery. */
class TaskClaimsTest extends PoolTest {
  private static final long LEASE_MS = 30_000;
  private static final long GRACE_MS = 60_000;

  private static TaskClaims worker(String name) {
    return new TaskClaims(pool, 5000, name, LEASE_MS, GRACE_MS, new TitleParityPolicy());
  }

  private static TaskClaims impatient(long leaseMs) {
    return new TaskClaims(pool, 300, "impatient", leaseMs, GRACE_MS, new TitleParityPolicy());
  }

  /** Runs on its own Vert.x context, as each worker verticle does. */
  private static <T> T await(Supplier<Future<T>> call) throws Exception {
    return onContext(call);
  }

  private static long newTask(String title) throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000);
    return await(() -> tasks.create(NewTask.of(title))).id();
  }

  private static Task stored(long id) throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000);
    return await(() -> tasks.find(id)).orElseThrow();
  }

  @Test
  void twoWorkersClaimingTheOnlyDueTaskAtOnceExactlyOneWins() throws Exception {
    TaskClaims a = worker("a");
    TaskClaims b = worker("b");
    for (int round = 0; round < 20; round++) {
      long id = newTask("race " + round);
      List<Optional<Claim>> results =
          await(
              () ->
                  Future.all(Claiming.next(a), Claiming.next(b))
                      .map(cf -> cf.<Optional<Claim>>list()));
      assertThat(results.stream().filter(Optional::isPresent)).as("round %d", round).hasSize(1);
      assertThat(results.stream().flatMap(Optional::stream))
          .extracting(Claim::taskId)
          .containsExactly(id);
      assertThat(stored(id).status()).isEqualTo(TaskStatus.PROCESSING);
    }
  }

  @Test
  void aDuplicateWakeUpNeverProcessesATaskTwice() throws Exception {
    TaskClaims a = worker("a");
    long id = newTask("dup!");
    Claim first = await(() -> Claiming.next(a)).orElseThrow();
    assertThat(first.taskId()).isEqualTo(id);
    assertThat(first.queue()).isEqualTo(Claiming.DEFAULT);
    assertThat(first.reason()).isEqualTo(ClaimReason.MESSAGE);
    assertThat(await(() -> Claiming.next(a))).isEmpty();
    assertThat(await(() -> Claiming.next(worker("b")))).isEmpty();
    assertThat(await(() -> a.completeProcessing(first))).isPresent();
    // a wake-up arriving after the task finished changes nothing
    assertThat(await(() -> Claiming.next(a))).isEmpty();
    assertThat(stored(id).status()).isEqualTo(TaskStatus.DONE);
  }

  @Test
  void overlappingClaimsOfOneWorkerClaimEachTaskOnce() throws Exception {
    TaskClaims a = worker("a");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(newTask("t" + i));
    }
    // four claims in flight at once (wake-ups, room freed, the sweep), each with room for two:
    // together they ask for more than is there
    List<TaskClaims.Claimed> answers =
        await(
            () ->
                Future.all(
                        a.claim(Claiming.DEFAULT, 2, false),
                        a.claim(Claiming.DEFAULT, 2, false),
                        a.claim(Claiming.DEFAULT, 2, true),
                        a.claim(Claiming.DEFAULT, 2, false))
                    .map(cf -> cf.<TaskClaims.Claimed>list()));
    List<Claim> claimed = new ArrayList<>();
    answers.forEach(answer -> claimed.addAll(answer.claimed()));
    // one claim per task: the worker holds, times and completes it once
    assertThat(claimed)
        .extracting(Claim::taskId)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE event = 'claimed'"))
        .isEqualTo(ids.size());
    for (Claim claim : claimed) {
      assertThat(await(() -> a.completeProcessing(claim))).isPresent();
    }
  }

  @Test
  void aQueueGivesItsDueTasksByPriorityThenDueTimeAndNothingOfOtherQueues() throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000);
    long low = await(() -> tasks.create(new NewTask("low", "q-x", 5, null))).id();
    long second = await(() -> tasks.create(new NewTask("second", "q-x", 0, null))).id();
    long first = await(() -> tasks.create(new NewTask("first", "q-x", 0, null))).id();
    TestDatabase.execute(
        "UPDATE tasks SET due_at = due_at - interval '1 minute' WHERE id = " + first);
    OffsetDateTime inAnHour = OffsetDateTime.now().plusHours(1);
    long scheduled = await(() -> tasks.create(new NewTask("scheduled", "q-x", 0, inAnHour))).id();
    long elsewhere = newTask("elsewhere");
    TaskClaims a = worker("a");
    List<Long> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      await(() -> Claiming.next(a, "q-x")).ifPresent(c -> order.add(c.taskId()));
    }
    assertThat(order).containsExactly(first, second, low);
    assertThat(stored(scheduled).status()).as("not due yet").isEqualTo(TaskStatus.NEW);
    assertThat(stored(elsewhere).status()).as("another queue").isEqualTo(TaskStatus.NEW);
  }

  @Test
  void completionSetsTheOutcomeByTitleParity() throws Exception {
    TaskClaims a = worker("a");
    long even = newTask("Process report");
    long odd = newTask("Process");
    Claim c1 = await(() -> Claiming.next(a)).orElseThrow();
    Claim c2 = await(() -> Claiming.next(a)).orElseThrow();
    assertThat(List.of(c1.taskId(), c2.taskId())).containsExactly(even, odd);
    Completion done = await(() -> a.completeProcessing(c1)).orElseThrow();
    assertThat(done.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(done.sinceCreation()).isPositive();
    assertThat(await(() -> a.completeProcessing(c2))).isPresent();
    assertThat(stored(even).status()).isEqualTo(TaskStatus.DONE);
    assertThat(stored(even).result()).isEqualTo(TaskResult.SUCCESS);
    assertThat(stored(odd).status()).isEqualTo(TaskStatus.FAILED);
    assertThat(stored(odd).result()).isEqualTo(TaskResult.ERROR);
  }

  @Test
  void anExpiredClaimIsTakenOverAndTheLateWorkerCannotOverwriteTheResult() throws Exception {
    TaskClaims dead = worker("dead");
    TaskClaims alive = worker("alive");
    long id = newTask("Process report");
    Claim stale = await(() -> Claiming.next(dead)).orElseThrow();
    // while the lease runs, nobody else may take the task, not even a sweep
    assertThat(await(() -> Claiming.next(alive))).isEmpty();
    assertThat(await(() -> Claiming.sweep(alive, 10))).isEmpty();
    TestDatabase.execute("UPDATE tasks SET lease_until = now() - interval '1 second'");
    // a wake-up's claim takes new tasks only; the sweep takes expired leases over
    assertThat(await(() -> Claiming.next(alive))).isEmpty();
    List<Claim> swept = await(() -> Claiming.sweep(alive, 10));
    assertThat(swept).extracting(Claim::taskId).containsExactly(id);
    Claim current = swept.get(0);
    assertThat(current.reason()).isEqualTo(ClaimReason.LEASE_EXPIRED);
    assertThat(current.token()).isNotEqualTo(stale.token());
    // the late worker wakes up: its completion is rejected
    assertThat(await(() -> dead.completeProcessing(stale))).isEmpty();
    assertThat(stored(id).status()).isEqualTo(TaskStatus.PROCESSING);
    assertThat(await(() -> alive.completeProcessing(current))).isPresent();
    assertThat(stored(id).status()).isEqualTo(TaskStatus.DONE);
    // and after the new holder finished, the stale claim still changes nothing
    assertThat(await(() -> dead.completeProcessing(stale))).isEmpty();
  }

  @Test
  void aSweepRoundTakesOverOnlyInTheQueuesWhereItsLookFoundAnEndedLease() throws Exception {
    TaskClaims dead = worker("dead");
    TaskClaims alive = worker("alive");
    long id = newTask("Process report");
    assertThat(await(() -> Claiming.next(dead))).isPresent();
    await(alive::findExpired);
    TestDatabase.execute("UPDATE tasks SET lease_until = now() - interval '1 second'");
    // the round looked before the lease ended: its sweeps leave the processing rows alone
    assertThat(await(() -> Claiming.sweep(alive, 10))).isEmpty();
    // the next round's look finds it
    await(alive::findExpired);
    assertThat(await(() -> Claiming.sweep(alive, 10)))
        .extracting(Claim::taskId)
        .containsExactly(id);
    // a survivor that ends a departed worker's leases says so: taken over in the same round
    long next = newTask("Process report 2");
    assertThat(await(() -> Claiming.next(dead))).isPresent();
    await(alive::findExpired);
    TestDatabase.execute(
        "UPDATE tasks SET lease_until = now() - interval '1 second' WHERE id = " + next);
    alive.leasesEnded(List.of(Claiming.DEFAULT));
    assertThat(await(() -> Claiming.sweep(alive, 10)))
        .extracting(Claim::taskId)
        .containsExactly(next);
  }

  @Test
  void aSweepsTakeoversAndNewTasksTogetherStayWithinItsRoom() throws Exception {
    TaskClaims dead = worker("dead");
    TaskClaims alive = worker("alive");
    List<Long> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(newTask("held " + i));
      assertThat(await(() -> Claiming.next(dead))).isPresent();
    }
    TestDatabase.execute("UPDATE tasks SET lease_until = now() - interval '1 second'");
    long first = newTask("new 0");
    newTask("new 1");
    newTask("new 2");
    List<Claim> swept = await(() -> Claiming.sweep(alive, 4));
    // the takeovers first, then the oldest new task: four in all
    assertThat(swept)
        .extracting(Claim::taskId)
        .containsExactlyInAnyOrder(held.get(0), held.get(1), held.get(2), first);
  }

  @Test
  void twoClaimsOfOneTaskInOneBatchCompleteOnlyTheCurrentOne() throws Exception {
    TaskClaims a = worker("a");
    for (boolean currentFirst : new boolean[] {false, true}) {
      TestDatabase.reset();
      long id = newTask("Process report");
      Claim old = await(() -> Claiming.next(a)).orElseThrow();
      TestDatabase.execute("UPDATE tasks SET lease_until = now() - interval '1 second'");
      Claim current = await(() -> Claiming.sweep(a, 1)).get(0);
      assertThat(current.taskId()).isEqualTo(id);
      // two more claims take both slots of the completion batcher, so that the two claims of
      // the task wait and then go together, in one batch
      long xId = newTask("x");
      long yId = newTask("y");
      Claim x = await(() -> Claiming.next(a)).orElseThrow();
      Claim y = await(() -> Claiming.next(a)).orElseThrow();
      assertThat(List.of(x.taskId(), y.taskId())).containsExactly(xId, yId);
      List<Claim> pair = currentFirst ? List.of(current, old) : List.of(old, current);
      List<Optional<Completion>> answers =
          await(
              () ->
                  Future.all(
                          a.completeProcessing(x),
                          a.completeProcessing(y),
                          a.completeProcessing(pair.get(0)),
                          a.completeProcessing(pair.get(1)))
                      .map(cf -> cf.<Optional<Completion>>list()));
      Optional<Completion> ofOld = answers.get(currentFirst ? 3 : 2);
      Optional<Completion> ofCurrent = answers.get(currentFirst ? 2 : 3);
      assertThat(ofOld).as("the replaced claim, current first: %s", currentFirst).isEmpty();
      assertThat(ofCurrent).as("the current claim, current first: %s", currentFirst).isPresent();
      assertThat(stored(id).status()).isEqualTo(TaskStatus.DONE);
    }
  }

  @Test
  void aCompletionThatCommittedAfterItsCallTimedOutIsReportedByItsRetry() throws Exception {
    TaskClaims impatient = impatient(LEASE_MS);
    long id = newTask("Process report");
    Claim claim = await(() -> Claiming.next(impatient)).orElseThrow();
    SqlConnection blocker = await(() -> pool.getConnection());
    try {
      Transaction tx = await(blocker::begin);
      await(
          () ->
              blocker
                  .preparedQuery("SELECT id FROM tasks WHERE id = $1 FOR UPDATE")
                  .execute(Tuple.of(id)));
      assertThatThrownBy(() -> await(() -> impatient.completeProcessing(claim)))
          .hasRootCauseInstanceOf(TimeoutException.class);
      await(tx::commit);
    } finally {
      await(blocker::close);
    }
    // the abandoned transaction got the lock and committed the outcome
    Await.until(
        "the late completion committed",
        Duration.ofSeconds(10),
        () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'done'"),
        n -> n == 1);
    // the worker retries the call: it is recognised as its own completion, not as a lost claim
    Completion done = await(() -> impatient.completeProcessing(claim)).orElseThrow();
    assertThat(done.taskId()).isEqualTo(id);
    assertThat(done.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(done.sinceCreation()).isPositive();
    // another claim's retry finds nothing of its own
    Claim stranger =
        new Claim(id, claim.title(), claim.queue(), java.util.UUID.randomUUID(), claim.reason());
    assertThat(await(() -> impatient.completeProcessing(stranger))).isEmpty();
  }

  @Test
  void theSweepCountsANewTaskAsRecoveredOnlyAfterTheGraceAndSkipsFinishedOnes() throws Exception {
    TaskClaims sweeper = worker("sweeper");
    long lost = newTask("lost wake-up");
    long fresh = newTask("fresh");
    long finished = newTask("finished");
    TestDatabase.execute(
        "UPDATE tasks SET status = 'done', result = 'success' WHERE id = " + finished);
    // due for longer than the grace: its wake-up was lost
    TestDatabase.execute(
        "UPDATE tasks SET due_at = now() - interval '2 minutes' WHERE id = " + lost);
    List<Claim> swept = await(() -> Claiming.sweep(sweeper, 10));
    assertThat(swept)
        .extracting(Claim::taskId, Claim::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(lost, ClaimReason.NEW_UNCLAIMED),
            org.assertj.core.groups.Tuple.tuple(fresh, ClaimReason.MESSAGE));
    assertThat(await(() -> Claiming.sweep(sweeper, 10))).isEmpty();
    assertThat(stored(finished).status()).isEqualTo(TaskStatus.DONE);
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM task_history WHERE event = 'recovered'"
                    + " AND reason = 'new_unclaimed' AND task_id = "
                    + lost))
        .isOne();
  }

  @Test
  void aWakeUpsClaimOfATaskPastTheGraceIsNoRecovery() throws Exception {
    long waited = newTask("waited");
    TestDatabase.execute(
        "UPDATE tasks SET due_at = now() - interval '2 minutes' WHERE id = " + waited);
    Claim claim = await(() -> Claiming.next(worker("a"))).orElseThrow();
    assertThat(claim.reason()).isEqualTo(ClaimReason.MESSAGE);
  }

  @Test
  void theSweepIsBoundedPerRound() throws Exception {
    TaskClaims sweeper = worker("sweeper");
    for (int i = 0; i < 7; i++) {
      newTask("t" + i);
    }
    assertThat(await(() -> Claiming.sweep(sweeper, 3))).hasSize(3);
    assertThat(await(() -> Claiming.sweep(sweeper, 3))).hasSize(3);
    assertThat(await(() -> Claiming.sweep(sweeper, 3))).hasSize(1);
  }

  @Test
  void concurrentSweepsNeverClaimTheSameTask() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(newTask("t" + i));
    }
    TaskClaims a = worker("a");
    TaskClaims b = worker("b");
    List<List<Claim>> both =
        await(
            () ->
                Future.all(Claiming.sweep(a, 50), Claiming.sweep(b, 50))
                    .map(cf -> cf.<List<Claim>>list()));
    List<Long> claimed = new ArrayList<>();
    both.forEach(list -> list.forEach(c -> claimed.add(c.taskId())));
    assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aHandedBackTaskIsTakenOverAtOnce() throws Exception {
    TaskClaims leaving = worker("leaving");
    TaskClaims staying = worker("staying");
    long id = newTask("Process report");
    Claim held = await(() -> Claiming.next(leaving)).orElseThrow();
    assertThat(await(() -> Claiming.sweep(staying, 10))).isEmpty();
    assertThat(await(() -> leaving.release(List.of(held)))).isEqualTo(1);
    List<Claim> taken = await(() -> Claiming.sweep(staying, 10));
    assertThat(taken).extracting(Claim::taskId).containsExactly(id);
    assertThat(taken.get(0).reason()).isEqualTo(ClaimReason.LEASE_EXPIRED);
    assertThat(await(() -> leaving.completeProcessing(held))).isEmpty();
    assertThat(await(() -> staying.completeProcessing(taken.get(0)))).isPresent();
  }

  @Test
  void aClaimThatCommitsAfterItsCallFailedIsHandedBackByTheNextRelease() throws Exception {
    // a call limit far below how long the queue stays locked by someone else: the claim's call
    // fails, its transaction waits for the lock and then commits
    TaskClaims impatient = impatient(LEASE_MS);
    TaskClaims other = worker("other");
    long id = newTask("Process report");
    claimTimesOutBehindTheQueueLock(impatient);
    TaskRepository tasks = new TaskRepository(pool, 5000);
    Optional<Task> claimedLate =
        await(
            () ->
                Await.until(
                    vertx,
                    Duration.ofSeconds(10),
                    () -> tasks.find(id),
                    task -> task.orElseThrow().status() == TaskStatus.PROCESSING));
    assertThat(claimedLate.orElseThrow().status()).isEqualTo(TaskStatus.PROCESSING);
    // held by nobody, and only its lease (30 s) would free it
    assertThat(await(() -> Claiming.sweep(other, 10))).isEmpty();

    assertThat(await(impatient::releaseUncertain)).isEqualTo(1);
    List<Claim> taken = await(() -> Claiming.sweep(other, 10));
    assertThat(taken).extracting(Claim::taskId).containsExactly(id);
    assertThat(await(() -> other.completeProcessing(taken.get(0)))).isPresent();
    assertThat(stored(id).status()).isEqualTo(TaskStatus.DONE);
    // settled: nothing more to hand back, and a final task is never touched
    assertThat(await(impatient::releaseUncertain)).isZero();
  }

  @Test
  void aFailedClaimThatNeverCommittedReleasesNothing() throws Exception {
    TaskClaims impatient = impatient(LEASE_MS);
    TaskClaims other = worker("other");
    long id = newTask("Process report");
    Claim held = await(() -> Claiming.next(other)).orElseThrow();
    claimTimesOutBehindTheQueueLock(impatient);
    // the late claim found the task held by another worker and claimed nothing: the holder's
    // claim stays as it was
    assertThat(await(impatient::releaseUncertain)).isZero();
    assertThat(await(() -> other.completeProcessing(held))).isPresent();
  }

  @Test
  void aFailedClaimIsHandedBackWhileItsLeaseMayRunAndForgottenOnceItCannot() throws Exception {
    // the call fails, so whether the claim committed is unknown: until the lease it may have
    // taken has run out, each release looks for it; then it is forgotten (a lease that ran out
    // frees the task by itself), so that failed claims do not pile up for ever
    long leaseMs = 1500;
    TaskClaims impatient = impatient(leaseMs);
    TaskClaims other = worker("other");
    long id = newTask("Process report");
    Claim held = await(() -> Claiming.next(other)).orElseThrow();
    long failedAt = System.nanoTime();
    claimTimesOutBehindTheQueueLock(impatient);
    assertThat(await(() -> Future.succeededFuture(impatient.uncertainClaims()))).isOne();

    // nothing of it committed: the release finds nothing, and the token stays while the lease runs
    assertThat(await(impatient::releaseUncertain)).isZero();
    if (System.nanoTime() - failedAt < TimeUnit.MILLISECONDS.toNanos(leaseMs)) {
      assertThat(await(() -> Future.succeededFuture(impatient.uncertainClaims()))).isOne();
    }
    int left =
        await(
            () ->
                Await.until(
                    vertx,
                    Duration.ofSeconds(20),
                    () -> impatient.releaseUncertain().map(n -> impatient.uncertainClaims()),
                    n -> n == 0));
    assertThat(left).as("failed claims still remembered after their lease").isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - failedAt))
        .as("forgotten only once the lease could have run out")
        .isGreaterThanOrEqualTo(Duration.ofMillis(leaseMs));
    assertThat(await(() -> other.completeProcessing(held))).isPresent();
  }

  /**
   * Another transaction holds the queue's lock longer than {@code impatient}'s time limit (as a
   * change of the queue's settings does): the claim call fails, then its transaction gets the lock
   * and goes on once the other one commits.
   */
  private static void claimTimesOutBehindTheQueueLock(TaskClaims impatient) throws Exception {
    SqlConnection blocker = await(() -> pool.getConnection());
    try {
      Transaction tx = await(blocker::begin);
      await(
          () ->
              blocker.preparedQuery(TaskClaims.LOCK_EXCLUSIVE).execute(Tuple.of(Claiming.DEFAULT)));
      assertThatThrownBy(() -> await(() -> Claiming.next(impatient)))
          .hasRootCauseInstanceOf(TimeoutException.class);
      await(tx::commit);
    } finally {
      await(blocker::close);
    }
  }
}
