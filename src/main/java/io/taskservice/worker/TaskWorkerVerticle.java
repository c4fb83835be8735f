package io.taskservice.worker;

import io.taskservice.bus.Addresses;
import io.taskservice.cluster.Membership;
import io.taskservice.config.AppConfig;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.ConsumedQueues;
import io.taskservice.domain.OutcomePolicy;
import io.taskservice.ops.WorkerStats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes tasks: pulls them from the queues it consumes ({@code TASKS_QUEUES}), each within its
 * bucket's in-flight limit, waits the processing delay on a timer, then completes them ({@code
 * complete_processing}). A queue is claimed when a wake-up names it, when room frees up while it
 * had more, when its next scheduled task falls due, and by the periodic sweep, which also takes
 * over tasks whose holder died: once their lease ends, or at once when the holder's cluster member
 * left and its heartbeat stopped ({@link MemberLeft}). A task cancelled while held is dropped at
 * once. On stop it takes no new work, lets the tasks it holds finish within the grace period and
 * hands back the rest.
 */
public final class TaskWorkerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TaskWorkerVerticle.class);
  private static final long COMPLETION_RETRY_MS = 1000;
  // most tasks one worker holds at once, whatever else: their claims, timers and completions
  // stay within a small heap (about 25 MB)
  static final int MAX_HELD = 100_000;

  /** The worker's life: each state allows less than the one before; it never goes back. */
  enum State {
    /** Takes messages and sweeps on its timer. */
    RUNNING,
    /** As {@link #RUNNING}, with a sweep in flight: no second one starts. */
    SWEEPING,
    /** Stopping: no new work; the tasks held may finish within the grace, failures are retried. */
    DRAINING,
    /** The grace is over: no completion is retried; only claim calls in flight are awaited. */
    GRACE_OVER,
    /** What is still held is being handed back. */
    HANDING_BACK,
    STOPPED;

    boolean takesWork() {
      return this == RUNNING || this == SWEEPING;
    }

    boolean retriesCompletions() {
      return ordinal() <= DRAINING.ordinal();
    }

    boolean canBecome(State next) {
      return switch (this) {
        case RUNNING -> next == SWEEPING || next == DRAINING;
        case SWEEPING -> next == RUNNING || next == DRAINING;
        case DRAINING -> next == GRACE_OVER || next == HANDING_BACK;
        case GRACE_OVER -> next == HANDING_BACK;
        case HANDING_BACK -> next == STOPPED;
        case STOPPED -> false;
      };
    }
  }

  private final AppConfig config;
  private final Pool pool;
  private final OutcomePolicy policy;
  private final WorkerStats stats;
  private final String name;
  private final ConsumedQueues consumed;
  private final Membership members;
  // per queue: whether a claim is in flight, and whether another is wanted after it
  private final Map<String, QueueClaimState> queues = new HashMap<>();
  // tasks held per bucket (a named queue, or * for the others)
  private final Map<String, Integer> inFlight = new HashMap<>();
  // room per bucket promised to claims still in flight: claims of many queues at once (a sweep)
  // never take more than the bucket together
  private final Map<String, Integer> reserved = new HashMap<>();
  private int reservedTotal;
  private boolean roomCheckPending;
  // Claims of different queues in flight at once are at most a quarter of the pool: the other
  // queues wait their turn here, in order, and a queue that claims again after its claim goes to
  // the back. A sweep over many queues would otherwise take every connection at once, and the
  // completions, which free room and end leases, would wait behind its claims.
  private final int claimTurns;
  private int claimsInFlight;
  private final Set<String> waitingTurn = new LinkedHashSet<>();
  // The current claim on each task this worker holds. A claim is finished or handed back only
  // while it is still the current one: after this worker's own sweep claimed a task again (the
  // first claim's lease ran out while its completion kept failing), the first claim is void.
  private final Map<Long, Claim> held = new LinkedHashMap<>();
  // when each claim held was taken, oldest first: the oldest one not finished by its due time
  // tells how far completions lag behind
  private final Map<Claim, Long> heldSince = new LinkedHashMap<>();
  private boolean backedOff;

  private TaskClaims claims;
  private QueueWork work;
  private WorkerRegistry registry;
  private MemberLeft memberLeft;
  private DelayLine delay;
  private MessageConsumer<String> consumer;
  private MessageConsumer<Long> cancels;
  private long heartbeatTimer = -1;
  private long sweepTimer = -1;
  private State state = State.RUNNING;
  // claim calls (message or sweep) whose answer has not arrived: each may still add held tasks
  private int claiming;
  private Promise<Void> drained;

  /** Claim bookkeeping of one queue on this worker. */
  private static final class QueueClaimState {
    boolean claiming;
    // a wake-up arrived while claiming: claim again after
    boolean again;
    // the last claim got all it was allowed: more may wait, claim as room frees up
    boolean more;
    // the next claim is the sweep's (takes over expired leases)
    boolean sweep;
    long dueTimer = -1;
    long dueAtNanos;
  }

  /**
   * @param name the node's id: stored with each claim, and the worker's row in {@code workers}
   * @param members the cluster's members: whose claims to hand back when one leaves
   */
  public TaskWorkerVerticle(
      String name,
      AppConfig config,
      Pool pool,
      OutcomePolicy policy,
      WorkerStats stats,
      Membership members) {
    this.name = name;
    this.members = members;
    this.consumed = config.queues();
    this.config = config;
    this.pool = pool;
    this.policy = policy;
    this.stats = stats;
    this.claimTurns = Math.max(1, config.dbPoolSize() / 4);
  }

  @Override
  public Future<?> start() {
    claims =
        new TaskClaims(
            pool, config.dbTimeoutMs(), name, config.leaseMs(), config.newGraceMs(), policy);
    work = new QueueWork(pool, config.dbTimeoutMs());
    registry =
        new WorkerRegistry(
            pool, config.dbTimeoutMs(), name, config.role(), consumed, members::self);
    memberLeft =
        new MemberLeft(
            vertx, pool, config.dbTimeoutMs(), config.leaseMs(), members, this::takeOver);
    delay = new DelayLine(vertx, config.processingDelayMs(), this::complete);
    stats.capacity(consumed.asMap());
    consumer = vertx.eventBus().consumer(Addresses.WAKE_UP, msg -> wake(msg.body()));
    cancels = vertx.eventBus().consumer(Addresses.CANCELLED, msg -> cancelled(msg.body()));
    // in a cluster, "started" means the consumers are registered and reachable, and the node is
    // in the workers table (the source of every queue's consumers)
    return Future.all(consumer.completion(), cancels.completion())
        .compose(v -> registry.beat())
        .onSuccess(
            v -> {
              heartbeatTimer =
                  vertx.setPeriodic(
                      WorkerRegistry.HEARTBEAT_MS,
                      id ->
                          registry
                              .beat()
                              .onFailure(
                                  e -> log.warn("{}: heartbeat failed: {}", name, e.toString())));
              sweepTimer = vertx.setPeriodic(0, config.sweepIntervalMs(), id -> sweep());
              memberLeft.start();
              stats.consumerStarted();
              log.info("{} consuming {}", name, consumed.format());
            });
  }

  @Override
  public Future<?> stop() {
    become(State.DRAINING);
    memberLeft.stop();
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(heartbeatTimer);
    queues.values().forEach(q -> vertx.cancelTimer(q.dueTimer));
    stats.consumerStopped();
    drained = Promise.promise();
    long grace =
        vertx.setTimer(
            Math.max(1, config.shutdownGraceMs()),
            t -> {
              if (state == State.DRAINING) {
                become(State.GRACE_OVER);
              }
              checkDrained();
            });
    log.info(
        "{} stopping: {} tasks in flight, up to {} ms to finish",
        name,
        held.size(),
        config.shutdownGraceMs());
    checkDrained();
    return Future.join(consumer.unregister(), cancels.unregister())
        .transform(
            unregistered -> {
              if (unregistered.failed()) {
                log.warn("{} could not unregister: {}", name, unregistered.cause().toString());
              }
              return drained.future();
            })
        .compose(
            v -> {
              vertx.cancelTimer(grace);
              List<Claim> rest = List.copyOf(held.values());
              rest.forEach(this::dropHeld);
              return claims
                  .release(rest)
                  .compose(n -> claims.releaseUncertain().map(uncertain -> n + uncertain))
                  .compose(n -> registry.leave().map(n).recover(e -> Future.succeededFuture(n)));
            })
        .onSuccess(n -> log.info("{} stopped; handed back {} unfinished tasks", name, n))
        .onFailure(
            e ->
                log.warn(
                    "{} could not hand back its tasks; their leases will expire: {}",
                    name,
                    e.toString()))
        .onComplete(ar -> become(State.STOPPED));
  }

  private void become(State next) {
    if (!state.canBecome(next)) {
      throw new IllegalStateException(name + ": " + state + " cannot become " + next);
    }
    state = next;
  }

  /**
   * Stopping is drained once no claim call is pending (its answer could add held tasks that would
   * then be neither finished nor handed back) and every held task finished, or the grace is over.
   */
  private void checkDrained() {
    boolean stopping = state == State.DRAINING || state == State.GRACE_OVER;
    if (stopping && claiming == 0 && (held.isEmpty() || state == State.GRACE_OVER)) {
      become(State.HANDING_BACK);
      drained.complete();
    }
  }

  /**
   * Back-pressure: a worker whose completions fall behind (the oldest task it holds is overdue by a
   * quarter of the time its lease leaves after the delay), or that holds {@link #MAX_HELD} tasks,
   * claims nothing more until it has caught up: more claims would only expire before their
   * completion and be done twice. What it leaves is still {@code new} in the database, where the
   * sweep of any worker with room finds it.
   */
  private boolean backlogged() {
    long slackNanos =
        TimeUnit.MILLISECONDS.toNanos(config.leaseMs() - config.processingDelayMs()) / 4;
    long overdue = 0;
    if (!heldSince.isEmpty()) {
      long dueNanos =
          heldSince.values().iterator().next()
              + TimeUnit.MILLISECONDS.toNanos(config.processingDelayMs());
      overdue = System.nanoTime() - dueNanos;
    }
    boolean backlogged = held.size() >= MAX_HELD || overdue > slackNanos;
    if (backlogged != backedOff) {
      backedOff = backlogged;
      if (backlogged) {
        log.warn(
            "{} backs off: {} tasks held, completions {} ms behind; claiming nothing more until"
                + " it has caught up",
            name,
            held.size(),
            Math.max(0, TimeUnit.NANOSECONDS.toMillis(overdue)));
      } else {
        log.info("{} caught up ({} tasks held); claiming again", name, held.size());
      }
    }
    return backlogged;
  }

  /** A wake-up: {@code queue} has tasks to claim. */
  private void wake(String queue) {
    if (!state.takesWork() || queue == null || !consumed.consumes(queue)) {
      return;
    }
    requestClaim(queue);
  }

  /** Claims from {@code queue} now, or after the claim in flight, or once room frees up. */
  private void requestClaim(String queue) {
    QueueClaimState q = queues.computeIfAbsent(queue, k -> new QueueClaimState());
    if (q.claiming) {
      q.again = true;
      return;
    }
    int room = room(queue);
    if (room <= 0 || backlogged()) {
      q.more = true;
      return;
    }
    if (claimsInFlight >= claimTurns) {
      waitingTurn.add(queue);
      return;
    }
    boolean sweep = q.sweep;
    q.sweep = false;
    q.again = false;
    q.claiming = true;
    claiming++;
    claimsInFlight++;
    int asked = Math.min(room, sweep ? config.sweepBatch() : TaskClaims.MAX_BATCH);
    String bucket = consumed.bucket(queue);
    reserve(bucket, asked);
    claims
        .claim(queue, asked, sweep)
        .onSuccess(
            result -> {
              int fresh = 0;
              int takeovers = 0;
              for (Claim claim : result.claimed()) {
                if (claim.reason() != ClaimReason.MESSAGE) {
                  log.info("task {}: recovered ({})", claim.taskId(), claim.reason().wire());
                  stats.recovered(claim.reason());
                }
                if (claim.reason().isTakeover()) {
                  takeovers++;
                } else {
                  fresh++;
                }
                hold(claim);
              }
              // a sweep that took over all it could: more leases may have ended (a dead worker's
              // tasks, handed back together), take them over at once too
              if (sweep && takeovers >= asked) {
                q.sweep = true;
                q.again = true;
              }
              // all it was allowed: more may wait (as room frees up here, or the cap elsewhere)
              q.more = result.allowed() > 0 && fresh >= result.allowed();
              // limited by this node's room only: claim on at once while room is left
              if (q.more && result.allowed() == asked) {
                q.again = true;
              }
            })
        .onFailure(
            e -> {
              // the tasks stay new: the sweep claims them once the database answers again
              log.warn("{}: claim from queue {} failed: {}", name, queue, e.toString());
              q.again = false;
            })
        .onComplete(
            ar -> {
              // what the claim did not take goes back: queues that waited for room claim now
              reserve(bucket, -asked);
              roomFreed();
              q.claiming = false;
              claimsInFlight--;
              claimSettled();
              if (q.again && state.takesWork()) {
                waitingTurn.add(queue);
              }
              nextTurns();
            });
  }

  /** The queues that waited for a turn claim now, as far as the turns go. */
  private void nextTurns() {
    while (claimsInFlight < claimTurns && !waitingTurn.isEmpty() && state.takesWork()) {
      String next = waitingTurn.iterator().next();
      waitingTurn.remove(next);
      requestClaim(next);
    }
    if (!state.takesWork()) {
      waitingTurn.clear();
    }
  }

  /**
   * Tasks {@code queue} may still claim on this node: its bucket's limit less what it holds and
   * what the claims in flight may bring.
   */
  private int room(String queue) {
    String bucket = consumed.bucket(queue);
    return Math.min(
        consumed.limit(bucket)
            - inFlight.getOrDefault(bucket, 0)
            - reserved.getOrDefault(bucket, 0),
        MAX_HELD - held.size() - reservedTotal);
  }

  private void reserve(String bucket, int tasks) {
    reserved.merge(bucket, tasks, Integer::sum);
    reservedTotal += tasks;
  }

  /**
   * The recovery sweep, every interval: each queue this node consumes is claimed once more as a
   * sweep (which also takes over expired leases), and its next scheduled task gets a timer.
   */
  private void sweep() {
    if (state != State.RUNNING) {
      return;
    }
    become(State.SWEEPING);
    claiming++;
    claims
        .releaseUncertain()
        .onSuccess(
            n -> {
              if (n > 0) {
                log.info("handed back {} tasks claimed by a call that had failed", n);
              }
            })
        .transform(released -> claims.findExpired())
        .transform(looked -> sweptQueues())
        .compose(
            swept -> {
              for (String queue : swept) {
                queues.computeIfAbsent(queue, k -> new QueueClaimState()).sweep = true;
                requestClaim(queue);
              }
              return work.nextDue(swept);
            })
        .onSuccess(due -> due.forEach(this::dueIn))
        .onFailure(e -> log.warn("recovery sweep failed: {}", e.toString()))
        .onComplete(
            ar -> {
              if (state == State.SWEEPING) {
                become(State.RUNNING);
              }
              claimSettled();
            });
  }

  /**
   * The leases of a departed worker's tasks ended ({@link MemberLeft}): the queues among them that
   * this worker consumes are swept now rather than at the next interval.
   */
  private void takeOver(List<String> released) {
    claims.leasesEnded(released);
    if (!state.takesWork()) {
      return;
    }
    for (String queue : released) {
      if (consumed.consumes(queue)) {
        queues.computeIfAbsent(queue, k -> new QueueClaimState()).sweep = true;
        requestClaim(queue);
      }
    }
  }

  /** The queues a sweep claims: those named, and, with {@code *}, every one holding tasks. */
  private Future<List<String>> sweptQueues() {
    List<String> named = List.copyOf(consumed.named().keySet());
    if (consumed.others().isEmpty()) {
      return Future.succeededFuture(named);
    }
    return work.unfinishedQueues()
        .map(
            unfinished -> {
              Set<String> all = new LinkedHashSet<>(named);
              all.addAll(unfinished);
              return List.copyOf(all);
            });
  }

  /** Arms a timer for {@code queue}'s next scheduled task, unless one fires sooner already. */
  private void dueIn(String queue, long inMs) {
    if (!state.takesWork()) {
      return;
    }
    QueueClaimState q = queues.computeIfAbsent(queue, k -> new QueueClaimState());
    long dueAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(inMs);
    if (q.dueTimer >= 0 && q.dueAtNanos - dueAt <= 0) {
      return;
    }
    vertx.cancelTimer(q.dueTimer);
    q.dueAtNanos = dueAt;
    q.dueTimer =
        vertx.setTimer(
            Math.max(1, inMs),
            t -> {
              q.dueTimer = -1;
              if (state.takesWork()) {
                requestClaim(queue);
              }
            });
  }

  /**
   * A task was cancelled: if this worker holds it, it is dropped now (its completion would miss).
   */
  private void cancelled(Long id) {
    Claim claim = id == null ? null : held.get(id);
    if (claim == null) {
      return;
    }
    log.info("task {}: cancelled while processing; dropped", id);
    dropHeld(claim);
    roomFreed();
    checkDrained();
  }

  private void claimSettled() {
    claiming--;
    checkDrained();
  }

  private void hold(Claim claim) {
    Claim previous = held.get(claim.taskId());
    if (previous == claim) {
      return; // the same claim answered twice: it is held, timed and completed once
    }
    if (previous != null) {
      // its room is counted again below, in the bucket of the claim as it is now
      dropHeld(previous);
      log.info(
          "task {}: claimed again by this worker after its lease ran out; the earlier claim is"
              + " void",
          claim.taskId());
    }
    held.put(claim.taskId(), claim);
    heldSince.put(claim, System.nanoTime());
    String bucket = consumed.bucket(claim.queue());
    inFlight.merge(bucket, 1, Integer::sum);
    stats.inFlight(bucket, 1);
    if (claim.reason() == ClaimReason.MESSAGE) {
      log.debug("task {}: processing", claim.taskId());
    }
    delay.add(claim);
  }

  /** The claim is no longer held: its room goes back to its bucket. */
  private void dropHeld(Claim claim) {
    if (held.remove(claim.taskId(), claim)) {
      heldSince.remove(claim);
      String bucket = consumed.bucket(claim.queue());
      inFlight.merge(bucket, -1, Integer::sum);
      stats.inFlight(bucket, -1);
    }
  }

  /**
   * Room freed up: the queues that had more claim again, once per turn of the event loop however
   * many tasks finished in it.
   */
  private void roomFreed() {
    if (roomCheckPending || !state.takesWork()) {
      return;
    }
    roomCheckPending = true;
    vertx.runOnContext(
        v -> {
          roomCheckPending = false;
          if (!state.takesWork()) {
            return;
          }
          queues.forEach(
              (queue, q) -> {
                if (q.more && room(queue) > 0) {
                  requestClaim(queue);
                }
              });
        });
  }

  private boolean isCurrent(Claim claim) {
    return held.get(claim.taskId()) == claim;
  }

  private void complete(Claim claim) {
    if (!isCurrent(claim)) {
      // a newer claim of this worker, or the hand-back, replaced it: nothing left to complete
      log.debug("task {}: completion of a replaced claim dropped", claim.taskId());
      return;
    }
    claims
        .completeProcessing(claim)
        .onSuccess(done -> finished(claim, done))
        .onFailure(
            e -> {
              stats.error();
              log.warn(
                  "task {}: complete_processing failed, retrying: {}",
                  claim.taskId(),
                  e.toString());
              if (state.retriesCompletions()) {
                vertx.setTimer(
                    COMPLETION_RETRY_MS,
                    t -> {
                      if (state.retriesCompletions()) {
                        complete(claim);
                      }
                    });
              }
            });
  }

  private void finished(Claim claim, Optional<Completion> done) {
    boolean current = isCurrent(claim);
    if (current) {
      dropHeld(claim);
      roomFreed();
    }
    if (done.isPresent()) {
      Completion c = done.get();
      stats.finished(c);
      log.info(
          "task {}: {} ({})", c.taskId(), c.outcome().status().wire(), c.outcome().result().wire());
    } else if (current) {
      log.warn(
          "task {}: claim lost (lease expired, another worker took it over); result discarded",
          claim.taskId());
    }
    checkDrained();
  }
}
