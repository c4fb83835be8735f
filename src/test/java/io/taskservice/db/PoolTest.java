package io.taskservice.db;

import io.taskservice.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Repository tests: a pool on the test database, an empty table before each test. */
public abstract class PoolTest {
  public static Vertx vertx;
  public static Pool pool;
  // one context for every call of a test class, as a worker verticle has one
  public static Context context;

  @BeforeAll
  public static void connect() {
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
    context = vertx.getOrCreateContext();
  }

  @AfterAll
  public static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  public void emptyTable() {
    TestDatabase.reset();
  }

  /** Runs {@code call} on a Vert.x context of its own, as a verticle would, and waits for it. */
  public static <T> T onContext(Supplier<Future<T>> call) throws Exception {
    return begin(call).await(20, TimeUnit.SECONDS);
  }

  /** Starts {@code call} on the test class's context and returns at once, without waiting. */
  public static <T> Future<T> begin(Supplier<Future<T>> call) {
    return context.<Void>executeBlocking(() -> null).compose(v -> call.get());
  }
}
