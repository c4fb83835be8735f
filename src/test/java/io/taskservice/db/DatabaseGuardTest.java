package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the guard makes of PostgreSQL's errors: a schema not migrated this far is the database not
 * being usable yet (a 503 with Retry-After), a wrong query stays a failure of its own (a 500).
 */
class DatabaseGuardTest extends PoolTest {
  /** The failure of {@code sql} through the guard, or null when it succeeded. */
  private static Throwable failureOf(String sql) throws Exception {
    return begin(() -> Database.guard(pool.query(sql).execute(), 5000))
        .<Throwable>transform(done -> Future.succeededFuture(done.cause()))
        .await(20, TimeUnit.SECONDS);
  }

  @Test
  void aTableOrColumnTheSchemaLacksYetIsTheDatabaseNotReady() throws Exception {
    assertThat(failureOf("SELECT id FROM tasks_of_a_later_migration"))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(failureOf("SELECT column_of_a_later_migration FROM tasks"))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void aWrongQueryIsNot() throws Exception {
    assertThat(failureOf("SELECT 1 / 0"))
        .isNotNull()
        .isNotInstanceOf(StoreUnavailableException.class);
  }
}
