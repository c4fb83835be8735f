package io.taskservice.ops;

import static io.taskservice.ops.OpsTesting.await;
import static io.taskservice.ops.OpsTesting.dbUrlVia;
import static io.taskservice.ops.OpsTesting.eventually;
import static io.taskservice.ops.OpsTesting.metric;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.db.Database;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node reaches PostgreSQL through a proxy that the test cuts (connections closed, new ones
 * refused) or blackholes (nothing passes) and then restores: the node stays live, is not ready,
 * answers the API with quick 503s in the API's format, and recovers by itself; tasks created before
 * the outage still finish. Timings are logged as "outage:" lines.
 */
@ExtendWith(VertxExtension.class)
class OutageTest {
  private static final Logger log = LoggerFactory.getLogger(OutageTest.class);
  private static final JsonObject UNAVAILABLE =
      new JsonObject().put("detail", "Service temporarily unavailable, try again later.");
  private static final Duration RECOVERY = Duration.ofSeconds(30);
  // the time limit of a database call; an answer that did not wait for the database comes long
  // before it, so half of it is the generous bound for "quick"
  private static final long TIME_LIMIT_MS = 10_000;
  private static final long QUICK_MS = TIME_LIMIT_MS / 2;

  private TcpProxy proxy;
  private Node node;
  private Client client;

  @BeforeEach
  void startProxy(Vertx vertx) {
    TestDatabase.reset();
    PgConnectOptions db = Database.connectOptions(TestDatabase.config(Map.of()));
    proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    await(proxy.start());
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(node);
    await(proxy.close());
  }

  private void startNodeBehindProxy(Vertx vertx, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("TASKS_DB_URL", dbUrlVia(proxy.port()));
    env.put("TASKS_DB_TIMEOUT_MS", Long.toString(TIME_LIMIT_MS));
    // long enough to see the tasks held when the database goes away, short enough that their
    // completion falls into the outage
    env.put("TASKS_PROCESSING_DELAY_MS", "3000");
    env.put("TASKS_LEASE_MS", "20000");
    env.put("TASKS_SWEEP_INTERVAL_MS", "200");
    env.put("TASKS_NEW_GRACE_MS", "1000");
    env.putAll(overrides);
    node = startNode(env);
    client = new Client(vertx, node.port());
  }

  @Test
  void startsWhileTheDatabaseIsDownAndBecomesReadyByItself(Vertx vertx) {
    await(proxy.cut());
    startNodeBehindProxy(vertx, Map.of());

    assertThat(client.statusCode("/health/live")).isEqualTo(200);
    assertThat(client.statusCode("/health/ready")).isEqualTo(503);
    assertQuick503s("start, database down", () -> client.post("/api/v1/tasks/", title("early")));

    await(proxy.restore());
    Duration toReady = eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 200);
    log.info("outage: started without database, ready {} ms after it came up", toReady.toMillis());

    long id = client.create("late");
    eventually(vertx, RECOVERY, () -> isFinal(client.status(id)));
  }

  @Test
  void aCutConnectionGivesQuick503sAndTheNodeRecoversWithoutRestart(Vertx vertx) {
    startNodeBehindProxy(vertx, Map.of());
    eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 200);
    List<Long> before = new ArrayList<>();
    for (String title : List.of("ab", "abc", "abcd")) {
      before.add(client.create(title));
    }
    // the tasks are in their processing delay when the database goes away
    eventually(vertx, RECOVERY, () -> metric(scrape(), "tasks_in_flight") == 3.0);

    await(proxy.cut());

    assertThat(client.statusCode("/health/live")).isEqualTo(200);
    assertQuick503s("cut, create", () -> client.post("/api/v1/tasks/", title("during")));
    assertQuick503s("cut, list", () -> client.get("/api/v1/tasks/"));
    assertQuick503s("cut, retrieve", () -> client.get("/api/v1/tasks/" + before.get(0) + "/"));
    // readiness reports the probe's last background check: it goes down at that check
    eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 503);
    HttpResponse<Buffer> ready = client.get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("reason")).contains("database");
    // the workers' completions fail and are retried
    eventually(vertx, RECOVERY, () -> metric(scrape(), "tasks_worker_errors_total") >= 1.0);

    await(proxy.restore());
    Duration toReady = eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 200);
    Duration toCreate =
        eventually(
            vertx,
            RECOVERY,
            () -> client.post("/api/v1/tasks/", title("after")).statusCode() == 201);
    Duration toFinish =
        eventually(
            vertx, RECOVERY, () -> before.stream().allMatch(id -> isFinal(client.status(id))));
    log.info(
        "outage: after the cut was restored: ready in {} ms, API creating in {} ms more,"
            + " the 3 tasks held during the outage finished {} ms later",
        toReady.toMillis(),
        toCreate.toMillis(),
        toFinish.toMillis());
  }

  @Test
  void aSilentDatabaseGives503sOnceTheProbeNoticesNotAtTheTimeLimit(Vertx vertx) {
    // a time limit far longer than the probe needs to notice (its own 1 s limit, at most 1 s
    // after its last check)
    startNodeBehindProxy(vertx, Map.of());
    eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 200);
    long id = client.create("silent");

    proxy.blackhole();

    long start = System.nanoTime();
    HttpResponse<Buffer> first = client.get("/api/v1/tasks/");
    long firstMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.bodyAsJsonObject()).isEqualTo(UNAVAILABLE);
    // the call waiting for the silent database is answered when the probe notices (within 2 s),
    // not at the time limit
    assertThat(firstMs).isLessThan(QUICK_MS);
    Duration toNotReady =
        eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 503);
    log.info(
        "outage: blackhole: first API answer 503 after {} ms, ready=503 within {} ms",
        firstMs,
        toNotReady.toMillis());
    assertQuick503s("blackhole, after detection", () -> client.get("/api/v1/tasks/"));

    await(proxy.restore());
    Duration toReady = eventually(vertx, RECOVERY, () -> client.statusCode("/health/ready") == 200);
    eventually(vertx, RECOVERY, () -> isFinal(client.status(id)));
    assertThat(client.create("afterwards")).isPositive();
    log.info("outage: blackhole lifted: ready in {} ms", toReady.toMillis());
  }

  /** Ten calls, each a 503 in the API's format with Retry-After, none waiting for the database. */
  private void assertQuick503s(String what, Supplier<HttpResponse<Buffer>> call) {
    long slowest = 0;
    long total = 0;
    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      HttpResponse<Buffer> response = call.get();
      long ms = (System.nanoTime() - start) / 1_000_000;
      slowest = Math.max(slowest, ms);
      total += ms;
      assertThat(response.statusCode()).as(what).isEqualTo(503);
      assertThat(response.bodyAsJsonObject()).as(what).isEqualTo(UNAVAILABLE);
      assertThat(response.getHeader("Retry-After")).isEqualTo("1");
    }
    log.info("outage: {}: 10 x 503, mean {} ms, slowest {} ms", what, total / 10, slowest);
    assertThat(slowest).as(what + ": slowest 503 (ms)").isLessThan(QUICK_MS);
  }

  private String scrape() {
    return client.get("/metrics").bodyAsString();
  }

  private static JsonObject title(String title) {
    return new JsonObject().put("title", title);
  }

  private static boolean isFinal(String status) {
    return "done".equals(status) || "failed".equals(status);
  }
}
