package io.taskservice.ops;

import io.taskservice.bus.Addresses;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Is PostgreSQL reachable? Asks it {@code SELECT 1}, with a short time limit, on a connection of
 * its own (so that a busy pool does not look like an outage), in the background only: every second
 * (four times a second while it is down). {@code /health/ready} reports the last answer and never
 * asks itself, so that no number of readiness requests can queue checks behind each other and make
 * them time out. While the last answer was "no", API requests fail at once with 503 instead of
 * waiting for the database's time limit; when it turns to "no", the calls already waiting are
 * answered 503 too ({@link Addresses#DATABASE_DOWN}).
 */
public final class DatabaseProbe {
  private static final Logger log = LoggerFactory.getLogger(DatabaseProbe.class);
  static final String QUERY = "SELECT 1";
  static final long MAX_TIMEOUT_MS = 1000;
  private static final long INTERVAL_UP_MS = 1000;
  private static final long INTERVAL_DOWN_MS = 250;

  private enum State {
    UNKNOWN,
    UP,
    DOWN
  }

  private final Vertx vertx;
  private final AppConfig config;
  private final long timeoutMs;
  private final Supplier<Pool> pools;
  private final AtomicReference<Pool> pool = new AtomicReference<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.UNKNOWN);
  private volatile String failure = "not checked yet";
  // completes with the first check's outcome: readiness waits for it rather than guess
  private final Promise<Void> firstCheck = Promise.promise();
  private volatile boolean running;
  private volatile long timer = -1;

  public DatabaseProbe(Vertx vertx, AppConfig config) {
    this(vertx, config, () -> newPool(vertx, config));
  }

  /**
   * @param pools builds the one-connection pool the probe asks through, again after each time-out
   */
  DatabaseProbe(Vertx vertx, AppConfig config, Supplier<Pool> pools) {
    this.vertx = vertx;
    this.config = config;
    this.timeoutMs = timeoutMs(config);
    this.pools = pools;
    this.pool.set(pools.get());
  }

  private static long timeoutMs(AppConfig config) {
    return Math.min(MAX_TIMEOUT_MS, config.dbTimeoutMs());
  }

  /** Starts the background checks. */
  public void start() {
    running = true;
    timer = vertx.setTimer(1, t -> tick());
  }

  /** Stops the background checks; the connection closes with Vert.x. */
  public void stop() {
    running = false;
    vertx.cancelTimer(timer);
  }

  /**
   * The outcome of the last background check: succeeded when PostgreSQL answered, failed with
   * {@link #failure()} when it did not. Until the first check has an outcome, that check's.
   */
  public Future<Void> lastCheck() {
    return switch (state.get()) {
      case UP -> Future.succeededFuture();
      case DOWN -> Future.failedFuture(failure);
      case UNKNOWN -> firstCheck.future();
    };
  }

  /**
   * One {@code SELECT 1}; fails within the probe's time limit when the database does not answer.
   */
  Future<Void> check() {
    Pool current = pool.get();
    return current
        .query(QUERY)
        .execute()
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .onSuccess(v -> reachable())
        .onFailure(e -> unreachable(current, e));
  }

  /** True only while the last check failed: unknown counts as reachable. */
  public boolean isDown() {
    return state.get() == State.DOWN;
  }

  /** Why the last check failed, for operators (no addresses or credentials). */
  public String failure() {
    return failure;
  }

  private void tick() {
    if (!running) {
      return;
    }
    check()
        .onComplete(
            ar -> {
              if (running) {
                timer =
                    vertx.setTimer(ar.succeeded() ? INTERVAL_UP_MS : INTERVAL_DOWN_MS, t -> tick());
              }
            });
  }

  private void reachable() {
    if (state.getAndSet(State.UP) == State.DOWN) {
      log.info("PostgreSQL is reachable again");
    }
    firstCheck.tryComplete();
  }

  private void unreachable(Pool used, Throwable cause) {
    if (cause instanceof TimeoutException) {
      failure = "database did not answer within " + timeoutMs + " ms";
      // the connection may hang for minutes (a silent network): start over with a new one.
      // Checks that time out together each build one; only the first replaces the old pool.
      Pool fresh = pools.get();
      if (pool.compareAndSet(used, fresh)) {
        used.close();
      } else {
        fresh.close();
      }
    } else if (cause instanceof DatabaseException db) {
      failure = "database refused the connection (SQLSTATE " + db.getSqlState() + ")";
    } else {
      failure = "database not reachable";
    }
    State before = state.getAndSet(State.DOWN);
    firstCheck.tryFail(failure);
    if (before != State.DOWN) {
      log.warn(
          "PostgreSQL at {} is not reachable: {}",
          config.redactedDbUrl(),
          Failures.rootMessage(cause));
      vertx
          .eventBus()
          .publish(Addresses.DATABASE_DOWN, failure, new DeliveryOptions().setLocalOnly(true));
    }
  }

  private static Pool newPool(Vertx vertx, AppConfig config) {
    long timeoutMs = timeoutMs(config);
    return PgBuilder.pool()
        .with(
            new PoolOptions()
                .setMaxSize(1)
                .setName("tasks-probe")
                .setConnectionTimeout((int) timeoutMs)
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) timeoutMs))
        .connectingTo(Database.connectOptions(config))
        .using(vertx)
        .build();
  }
}
