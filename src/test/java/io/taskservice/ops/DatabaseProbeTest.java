package io.taskservice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe's own connection: replaced when it hangs, and never more than one left open. */
class DatabaseProbeTest {
  private Vertx vertx;
  private TcpProxy proxy;

  @BeforeEach
  void startProxy() throws Exception {
    vertx = Vertx.vertx();
    PgConnectOptions db = Database.connectOptions(TestDatabase.config(Map.of()));
    proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    proxy.start().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void checksTimingOutTogetherLeaveExactlyOnePoolOpen() throws Exception {
    AppConfig config =
        TestDatabase.config(
            Map.of(
                "TASKS_DB_URL", OpsTesting.dbUrlVia(proxy.port()), "TASKS_DB_TIMEOUT_MS", "300"));
    List<Pool> built = new CopyOnWriteArrayList<>();
    DatabaseProbe probe =
        new DatabaseProbe(
            vertx,
            config,
            () -> {
              Pool pool =
                  PgBuilder.pool()
                      .connectingTo(Database.connectOptions(config))
                      .using(vertx)
                      .build();
              built.add(pool);
              return pool;
            });
    answers(probe);

    proxy.blackhole();
    // checks on several event loops at once: their time limits run out together, and each sets
    // out to replace the hung pool
    List<Future<Void>> checks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Promise<Void> check = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> probe.check().onComplete(check));
      checks.add(check.future());
    }
    Future.join(checks).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    assertThat(checks).allMatch(Future::failed);
    assertThat(probe.isDown()).isTrue();
    proxy.restore();

    // the first pool hung and was replaced: of all pools built, only the one in use is open
    assertThat(built).hasSizeGreaterThan(1);
    long open = 0;
    for (Pool pool : built) {
      boolean answers =
          pool.query("SELECT 1")
              .execute()
              .map(rows -> true)
              .otherwise(false)
              .await(10, TimeUnit.SECONDS);
      open += answers ? 1 : 0;
    }
    assertThat(open).as("pools still open").isOne();
    answers(probe);
    assertThat(probe.isDown()).isFalse();
  }

  /** Waits for a check to succeed: a first connection may take longer than the limit. */
  private void answers(DatabaseProbe probe) throws Exception {
    Await.until(
            vertx, Duration.ofSeconds(20), () -> probe.check().map(true).otherwise(false), ok -> ok)
        .await(30, TimeUnit.SECONDS);
  }
}
