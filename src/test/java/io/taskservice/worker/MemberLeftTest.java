package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.cluster.Membership;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.TitleParityPolicy;
import io.taskservice.tasks.TaskRepository;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-back of a departed member's claims: only when its heartbeat has stopped too, once, with
 * a {@code member_left} history row, and taken over by the next sweep as {@code recovered} for
 * {@code member_left}; the departed holder can no longer complete what was taken over.
 */
class MemberLeftTest extends PoolTest {
  private static final long LEASE_MS = 60_000;
  private static final String DEAD = "node-dead";
  private static final String DEAD_MEMBER = "5b0e3f4e-0000-4000-8000-00000000dead";

  private static TaskClaims worker(String name) {
    return new TaskClaims(pool, 5000, name, LEASE_MS, 60_000, new TitleParityPolicy());
  }

  private static MemberLeft survivor() {
    return new MemberLeft(vertx, pool, 5000, LEASE_MS, new Membership(), queues -> {});
  }

  /** A worker row of {@code DEAD} on {@code DEAD_MEMBER} that last beat {@code ageMs} ago. */
  private static void deadWorkerBeat(long ageMs) {
    TestDatabase.execute(
        "INSERT INTO workers (node_id, role, queues, member_id, heartbeat) VALUES ('"
            + DEAD
            + "', 'worker', '{\"*\": 10000}', '"
            + DEAD_MEMBER
            + "', now() - interval '"
            + ageMs
            + " milliseconds')");
  }

  private static List<Claim> heldByDead(int count, String queue) throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000);
    for (int i = 0; i < count; i++) {
      String title = "held " + i;
      onContext(() -> tasks.create(new NewTask(title, queue, 0, null)));
    }
    return onContext(() -> worker(DEAD).claim(queue, count, false)).claimed();
  }

  private static long history(String event, String reason) {
    return TestDatabase.count(
        "SELECT count(*) FROM task_history WHERE event = '"
            + event
            + "' AND reason = '"
            + reason
            + "'");
  }

  @Test
  void aDepartedWorkerWhoseHeartbeatStoppedHasItsClaimsTakenOverAtOnce() throws Exception {
    List<Claim> held = heldByDead(3, Claiming.DEFAULT);
    deadWorkerBeat(MemberLeft.STALE_MS + 500);

    MemberLeft.Attempt first =
        onContext(() -> survivor().handBack(DEAD_MEMBER, MemberLeft.STALE_MS));
    assertThat(first.released()).isEqualTo(3);
    assertThat(first.queues()).containsExactly(Claiming.DEFAULT);
    assertThat(first.freshAgeMs()).as("no fresh heartbeat").isNull();
    assertThat(history("handed_back", "member_left")).isEqualTo(3);
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM task_history WHERE event = 'handed_back' AND worker = '"
                    + DEAD
                    + "'"))
        .as("the hand-back names the holder")
        .isEqualTo(3);

    // another survivor racing, or the same one again: nothing left to hand back
    MemberLeft.Attempt again =
        onContext(() -> survivor().handBack(DEAD_MEMBER, MemberLeft.STALE_MS));
    assertThat(again.released()).isZero();
    assertThat(history("handed_back", "member_left")).isEqualTo(3);

    // the next sweep takes them over well before their 60 s lease, naming why
    TaskClaims next = worker("survivor");
    List<Claim> taken = onContext(() -> Claiming.sweep(next, 10));
    assertThat(taken)
        .extracting(Claim::taskId)
        .containsExactlyElementsOf(held.stream().map(Claim::taskId).toList());
    assertThat(taken).extracting(Claim::reason).containsOnly(ClaimReason.MEMBER_LEFT);
    assertThat(history("recovered", "member_left")).isEqualTo(3);

    // the departed holder, were it alive after all, cannot complete what was taken over
    TaskClaims late = worker(DEAD);
    for (Claim claim : held) {
      assertThat(onContext(() -> late.completeProcessing(claim))).isEmpty();
    }
    List<Boolean> finished = new ArrayList<>();
    for (Claim claim : taken) {
      finished.add(onContext(() -> next.completeProcessing(claim)).isPresent());
    }
    assertThat(finished).containsOnly(true);
    assertThat(TestDatabase.count("SELECT count(*) FROM task_history WHERE event = 'finished'"))
        .as("each finished exactly once")
        .isEqualTo(3);
  }

  @Test
  void aDepartedWorkerThatStillBeatsInTheDatabaseKeepsItsClaims() throws Exception {
    List<Claim> held = heldByDead(2, Claiming.DEFAULT);
    deadWorkerBeat(200);

    MemberLeft.Attempt attempt =
        onContext(() -> survivor().handBack(DEAD_MEMBER, MemberLeft.STALE_MS));
    assertThat(attempt.released()).isZero();
    assertThat(attempt.nodes()).isEqualTo(1);
    assertThat(attempt.freshAgeMs()).isNotNull().isLessThan(MemberLeft.STALE_MS);
    assertThat(history("handed_back", "member_left")).isZero();
    assertThat(onContext(() -> Claiming.sweep(worker("survivor"), 10)))
        .as("nothing to take over")
        .isEmpty();
    // and the holder completes them itself
    TaskClaims holder = worker(DEAD);
    for (Claim claim : held) {
      assertThat(onContext(() -> holder.completeProcessing(claim))).isPresent();
    }
  }

  @Test
  void aMemberWithoutAWorkerRowHandsBackNothing() throws Exception {
    heldByDead(1, Claiming.DEFAULT);
    MemberLeft.Attempt attempt =
        onContext(() -> survivor().handBack(DEAD_MEMBER, MemberLeft.STALE_MS));
    assertThat(attempt.nodes()).isZero();
    assertThat(attempt.released()).isZero();
  }

  @Test
  void theTakeoverOfADepartedWorkersTasksObeysPause() throws Exception {
    heldByDead(2, "reports");
    deadWorkerBeat(MemberLeft.STALE_MS + 500);
    TestDatabase.execute("INSERT INTO queues (name, paused) VALUES ('reports', true)");

    assertThat(onContext(() -> survivor().handBack(DEAD_MEMBER, MemberLeft.STALE_MS)).released())
        .isEqualTo(2);
    TaskClaims next = worker("survivor");
    assertThat(onContext(() -> next.claim("reports", 10, true)).claimed())
        .as("paused: nothing taken over")
        .isEmpty();

    TestDatabase.execute("UPDATE queues SET paused = false");
    assertThat(onContext(() -> next.claim("reports", 10, true)).claimed())
        .extracting(Claim::reason)
        .containsOnly(ClaimReason.MEMBER_LEFT)
        .hasSize(2);
  }
}
