package io.taskservice.db;

import io.taskservice.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Builds the PostgreSQL pool and tells outages apart from bugs. */
public final class Database {
  /** SQLSTATE classes that mean "the database is not usable now", not "the query is wrong". */
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57", "58");

  /**
   * relation or column does not exist: the schema has not been migrated this far yet (a node of a
   * newer build, while its migration runs or waits for the migrate job).
   */
  private static final Set<String> NOT_MIGRATED = Set.of("42P01", "42703");

  /** lock_timeout ran out: the rows are held by someone else for now. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  /** PostgreSQL aborted the transaction to let others go on; it rolled back and may run again. */
  private static final Set<String> RETRYABLE = Set.of("40P01", "40001");

  private Database() {}

  public static PgConnectOptions connectOptions(AppConfig config) {
    PgConnectOptions options = PgConnectOptions.fromUri(config.dbUrl());
    Map<String, String> session = new HashMap<>(options.getProperties());
    session.put("application_name", "task-service");
    // many short concurrent queries: parallel workers only steal the cores other requests need
    session.put("max_parallel_workers_per_gather", "0");
    // Every statement of the service has an index path. Prepared statements keep the plan made
    // when the table was young: planned on an empty, never-analyzed table (a fresh database, the
    // first minute before autovacuum's first ANALYZE), claims and completions would scan the
    // whole table for every batch and fall behind; measured: 5,820 sequential scans in 10 s of
    // POST load, 4.6k instead of 10k+ requests per second.
    session.put("enable_seqscan", "off");
    // A plan that must scan sequentially all the same is then costed in the billions, far above
    // jit_above_cost: PostgreSQL would JIT-compile it on every execution (tens of ms for a
    // statement that runs in microseconds). No statement of the service gains from JIT.
    session.put("jit", "off");
    // The server ends what the client gave up on: without these a statement whose call timed out
    // runs on, holding its locks and its connection, and may even commit much later.
    session.put("statement_timeout", Long.toString(statementTimeoutMs(config.dbTimeoutMs())));
    session.put("lock_timeout", Long.toString(lockTimeoutMs(config.dbTimeoutMs())));
    return options
        .setProperties(session)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(64)
        .setPipeliningLimit(256);
  }

  /**
   * The server's limit for one statement: a little below the call's limit, which also counts the
   * wait for a connection and the round trips, so that the statement is usually stopped (and its
   * transaction rolled back) by the time the call gives up.
   */
  public static long statementTimeoutMs(long dbTimeoutMs) {
    return Math.max(1, dbTimeoutMs * 9 / 10);
  }

  /** The server's limit for one lock wait: below the statement's, so that it is named as such. */
  public static long lockTimeoutMs(long dbTimeoutMs) {
    return Math.max(1, dbTimeoutMs * 8 / 10);
  }

  /** One pool per node, shared by all verticles of the process. */
  public static Pool pool(Vertx vertx, AppConfig config) {
    PoolOptions poolOptions =
        new PoolOptions()
            .setMaxSize(config.dbPoolSize())
            .setName("tasks")
            .setShared(true)
            // a request waits for a connection at most this long, then gets 503
            .setConnectionTimeout((int) config.dbTimeoutMs())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxWaitQueueSize(10_000);
    return PgBuilder.pool()
        .with(poolOptions)
        .with(
            new NetClientOptions()
                .setConnectTimeout((int) config.dbTimeoutMs())
                .setTcpKeepAlive(true)
                .setTcpNoDelay(true))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /**
   * Applies the call's time limit and turns connection-level failures into {@link
   * StoreUnavailableException}; other failures (bugs, constraint violations) pass unchanged.
   */
  public static <T> Future<T> guard(Future<T> call, long timeoutMs) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(
            failure ->
                Future.failedFuture(
                    isUnavailable(failure)
                        ? new StoreUnavailableException("database unavailable", failure)
                        : failure));
  }

  /** A deadlock or serialization failure: the transaction rolled back and may simply run again. */
  public static boolean isRetryable(Throwable failure) {
    return failure instanceof DatabaseException db && RETRYABLE.contains(db.getSqlState());
  }

  static boolean isUnavailable(Throwable failure) {
    if (failure instanceof StoreUnavailableException) {
      return true;
    }
    if (failure instanceof DatabaseException db) {
      String state = db.getSqlState();
      return state == null
          || NOT_MIGRATED.contains(state)
          || LOCK_NOT_AVAILABLE.equals(state)
          || (state.length() == 5 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2)));
    }
    // connection refused, reset or lost, a wait for a pooled connection or the call's time limit
    // running out; anything else (a bug of ours) stays a 500
    if (failure instanceof IOException
        || failure instanceof ClosedConnectionException
        || failure instanceof java.util.concurrent.TimeoutException
        || failure.getClass().getSimpleName().contains("Timeout")) {
      return true;
    }
    String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
    return failure instanceof VertxException
        && (message.startsWith("timeout")
            || message.contains("connection")
            || message.contains("closed"));
  }
}
