package io.taskservice.worker;

import io.taskservice.bus.Addresses;
import io.taskservice.config.AppConfig;
import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import io.taskservice.domain.OutcomePolicy;
import io.taskservice.ops.WorkerStats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes tasks: claims each id it receives ({@code start_processing}), waits the processing
 * delay on a timer, then completes it ({@code complete_processing}). A periodic sweep claims tasks
 * whose message was lost or whose holder died. On stop it takes no new work, lets the tasks it
 * holds finish within the grace period and hands back the rest.
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
  private final String name = "worker-" + UUID.randomUUID().toString().substring(0, 8);
  // The current claim on each task this worker holds. A claim is finished or handed back only
  // while it is still the current one: after this worker's own sweep claimed a task again (the
  // first claim's lease ran out while its completion kept failing), the first claim is void.
  private final Map<Long, Claim> held = new LinkedHashMap<>();
  // when each claim held was taken, oldest first: the oldest one not finished by its due time
  // tells how far completions lag behind
  private final Map<Claim, Long> heldSince = new LinkedHashMap<>();
  private boolean backedOff;

  private TaskClaims claims;
  private DelayLine delay;
  private MessageConsumer<Long> consumer;
  private long sweepTimer = -1;
  private State state = State.RUNNING;
  // claim calls (message or sweep) whose answer has not arrived: each may still add held tasks
  private int claiming;
  private Promise<Void> drained;

  public TaskWorkerVerticle(AppConfig config, Pool pool, OutcomePolicy policy, WorkerStats stats) {
    this.config = config;
    this.pool = pool;
    this.policy = policy;
    this.stats = stats;
  }

  @Override
  public Future<?> start() {
    claims = new TaskClaims(pool, config.dbTimeoutMs(), name, config.leaseMs(), policy);
    delay = new DelayLine(vertx, config.processingDelayMs(), this::complete);
    consumer = vertx.eventBus().consumer(Addresses.PROCESS_TASK, msg -> receive(msg.body()));
    sweepTimer = vertx.setPeriodic(0, config.sweepIntervalMs(), id -> sweep());
    // in a cluster, "started" means the consumer is registered and reachable
    return consumer
        .completion()
        .onSuccess(
            v -> {
              stats.consumerStarted();
              log.info("{} consuming {}", name, Addresses.PROCESS_TASK);
            });
  }

  @Override
  public Future<?> stop() {
    become(State.DRAINING);
    vertx.cancelTimer(sweepTimer);
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
    return consumer
        .unregister()
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
              held.clear();
              heldSince.clear();
              stats.inFlight(-rest.size());
              return claims
                  .release(rest)
                  .compose(n -> claims.releaseUncertain().map(uncertain -> n + uncertain));
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

  private void receive(Long id) {
    if (!state.takesWork() || id == null || backlogged()) {
      return;
    }
    claiming++;
    claims
        .startProcessing(id)
        .onSuccess(claim -> claim.ifPresent(this::hold))
        // the task stays new; the sweep picks it up once the database answers again
        .onFailure(e -> log.warn("task {}: start_processing failed: {}", id, e.toString()))
        .onComplete(ar -> claimSettled());
  }

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
        .transform(
            released ->
                backlogged()
                    ? Future.succeededFuture(List.<Claim>of())
                    : claims.claimStale(
                        config.newGraceMs(), Math.min(config.sweepBatch(), MAX_HELD - held.size())))
        .onSuccess(
            recovered -> {
              for (Claim claim : recovered) {
                log.info("task {}: recovered ({})", claim.taskId(), claim.reason().wire());
                stats.recovered(claim.reason());
                hold(claim);
              }
            })
        .onFailure(e -> log.warn("recovery sweep failed: {}", e.toString()))
        .onComplete(
            ar -> {
              boolean stillRunning = state == State.SWEEPING;
              if (stillRunning) {
                become(State.RUNNING);
              }
              claimSettled();
              // a full batch means more may be waiting (a backlog built up while no worker ran):
              // sweep again at once rather than one batch per interval
              if (stillRunning && ar.succeeded() && ar.result().size() >= config.sweepBatch()) {
                sweep();
              }
            });
  }

  private void claimSettled() {
    claiming--;
    checkDrained();
  }

  private void hold(Claim claim) {
    Claim previous = held.put(claim.taskId(), claim);
    if (previous == claim) {
      return; // the same claim answered twice: it is held, timed and completed once
    }
    heldSince.put(claim, System.nanoTime());
    if (previous == null) {
      stats.inFlight(1);
    } else {
      heldSince.remove(previous);
      log.info(
          "task {}: claimed again by this worker after its lease ran out; the earlier claim is"
              + " void",
          claim.taskId());
    }
    if (claim.reason() == ClaimReason.MESSAGE) {
      log.debug("task {}: processing", claim.taskId());
    }
    delay.add(claim);
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
      held.remove(claim.taskId());
      heldSince.remove(claim);
      stats.inFlight(-1);
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
