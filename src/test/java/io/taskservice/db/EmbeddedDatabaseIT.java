package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.cluster.LoopbackCluster;
import io.taskservice.cluster.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A newcomer's machine: the packaged jar started with no {@code TASKS_DB_URL} in a fresh directory
 * runs its own PostgreSQL in {@code ./task-data}, keeps the tasks across a graceful restart, leaves
 * no server behind on SIGTERM, and after a SIGKILL of the JVM finds the server it left running,
 * stops it and starts again on the same data. Run as root, this also covers PostgreSQL's refusal to
 * run as root.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedDatabaseIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final String TITLE = "Process report";

  private final List<NodeProcess> nodes = new ArrayList<>();
  private Path dir;
  private Path data;
  private int port;
  private WebClient client;

  @BeforeEach
  void freshDirectory(Vertx vertx) throws IOException {
    dir = Files.createDirectories(Path.of("target", "it-newcomer", UUID.randomUUID().toString()));
    data = dir.resolve("task-data").resolve("data").toAbsolutePath();
    port = LoopbackCluster.freePort();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stopEverything() throws Exception {
    nodes.forEach(NodeProcess::stop);
    // a node killed by a failing test leaves its server: stop it as the next start would
    for (NodeProcess node : nodes) {
      node.exit().await(30, TimeUnit.SECONDS);
    }
    EmbeddedDatabase.reclaim(dir.resolve("task-data"));
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void survivesRestartsAndASigkillOfTheJvmWithNothingConfigured(Vertx vertx) throws Exception {
    NodeProcess first = startReady(vertx, "newcomer-1");
    assertThat(first.output())
        .contains("Embedded PostgreSQL for development on localhost:")
        .contains(data.toString());
    long id = create();
    JsonObject done = awaitFinal(vertx, id);
    assertThat(done.getString("status")).isEqualTo("done");
    long firstServer = serverPid();

    first.terminate();
    assertThat(first.exit().await(60, TimeUnit.SECONDS)).as("exit code after SIGTERM").isZero();
    assertThat(alive(firstServer)).as("the server after SIGTERM").isFalse();
    assertThat(serversOnOurData()).as("servers on our data after SIGTERM").isEmpty();

    startReady(vertx, "newcomer-2");
    assertThat(task(id)).isEqualTo(done);
    long orphan = serverPid();
    nodes.get(1).kill();
    nodes.get(1).exit().await(30, TimeUnit.SECONDS);
    assertThat(alive(orphan)).as("the server outlives its killed JVM").isTrue();

    NodeProcess third = startReady(vertx, "newcomer-3");
    assertThat(third.output()).contains("PostgreSQL (pid " + orphan + ") left running on " + data);
    assertThat(alive(orphan)).as("the orphaned server").isFalse();
    assertThat(serversOnOurData()).containsExactly(serverPid());
    assertThat(task(id)).isEqualTo(done);
    assertThat(awaitFinal(vertx, create()).getString("status")).isEqualTo("done");

    third.terminate();
    assertThat(third.exit().await(60, TimeUnit.SECONDS)).isZero();
    assertThat(serversOnOurData()).isEmpty();
  }

  private NodeProcess startReady(Vertx vertx, String name) throws Exception {
    // exactly what a newcomer sets: nothing but a port that is free on a shared machine
    NodeProcess node =
        NodeProcess.start(
            name,
            Map.of("TASKS_HTTP_PORT", Integer.toString(port), "TASKS_PROCESSING_DELAY_MS", "500"),
            dir);
    nodes.add(node);
    node.logged(vertx, "Worker started", START).await(START.toSeconds() + 10, TimeUnit.SECONDS);
    Await.until(vertx, Duration.ofSeconds(30), this::readiness, status -> status == 200)
        .await(40, TimeUnit.SECONDS);
    return node;
  }

  private Future<Integer> readiness() {
    return client
        .get(port, "127.0.0.1", "/health/ready")
        .send()
        .map(HttpResponse::statusCode)
        .otherwise(-1);
  }

  private long create() throws Exception {
    HttpResponse<?> created =
        client
            .post(port, "127.0.0.1", "/api/v1/tasks/")
            .sendJsonObject(new JsonObject().put("title", TITLE))
            .await(10, TimeUnit.SECONDS);
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  private JsonObject task(long id) throws Exception {
    HttpResponse<?> answer =
        client
            .get(port, "127.0.0.1", "/api/v1/tasks/" + id + "/")
            .send()
            .await(10, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }

  private JsonObject awaitFinal(Vertx vertx, long id) throws Exception {
    return Await.until(
            vertx,
            Duration.ofSeconds(30),
            () ->
                client
                    .get(port, "127.0.0.1", "/api/v1/tasks/" + id + "/")
                    .send()
                    .map(HttpResponse::bodyAsJsonObject),
            t ->
                !"new".equals(t.getString("status")) && !"processing".equals(t.getString("status")))
        .await(40, TimeUnit.SECONDS);
  }

  /** The pid in our {@code postmaster.pid}: the server running on our data right now. */
  private long serverPid() throws IOException {
    return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Every PostgreSQL server process of the machine started on our data directory. */
  private List<Long> serversOnOurData() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(List::of)
                    .map(args -> args.contains(data.toString()))
                    .orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }
}
