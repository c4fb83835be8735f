package io.taskservice.app;

import static io.taskservice.ops.OpsTesting.closedPort;
import static io.taskservice.ops.OpsTesting.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.http.TlsTest;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as operators run it: {@code io.taskservice.app.Main} in its own JVM, hardened (TLS,
 * allowed hosts, API tokens and database URL from files) with JSON logs, stopped by SIGTERM.
 */
@ExtendWith(VertxExtension.class)
class MainProcessTest {
  private static final String TOKEN = "proc-token-5b9f2e";
  private static final String WRONG_TOKEN = "proc-wrong-77aa01";
  private static final String DB_PASSWORD = "proc-db-pass-31c4";

  @Test
  void aHardenedNodeWritesJsonLinesWithoutSecretsAndStopsOnSigterm(Vertx vertx, @TempDir Path dir)
      throws Exception {
    TestDatabase.reset();
    int port = closedPort();
    Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN);
    Path dbUrl =
        Files.writeString(dir.resolve("db_url"), TestDatabase.urlWithPassword(DB_PASSWORD));
    Path out = dir.resolve("stdout.log");
    Path err = dir.resolve("stderr.log");
    Map<String, String> env = new HashMap<>();
    env.put("TASKS_LOG_FORMAT", "json");
    env.put("TASKS_ACCESS_LOG", "all");
    env.put("TASKS_HTTP_PORT", Integer.toString(port));
    env.put("TASKS_HTTP_INSTANCES", "1");
    env.put("TASKS_DB_URL_FILE", dbUrl.toString());
    env.put("TASKS_API_TOKENS_FILE", tokens.toString());
    env.put("TASKS_ALLOWED_HOSTS", "localhost,127.0.0.1");
    env.put("TASKS_TLS_CERT", TlsTest.fixture("cert.pem"));
    env.put("TASKS_TLS_KEY", TlsTest.fixture("key.pem"));
    env.put("TASKS_PROCESSING_DELAY_MS", "300");
    Process process = startMain(env, out, err);
    try {
      Client client =
          new Client(
              vertx,
              new WebClientOptions()
                  .setDefaultHost("localhost")
                  .setDefaultPort(port)
                  .setSsl(true)
                  .setTrustOptions(new PemTrustOptions().addCertPath(TlsTest.fixture("cert.pem"))));
      eventually(vertx, Duration.ofSeconds(60), () -> ready(client));

      String auth = "Bearer " + TOKEN;
      long id = client.create("json", "Authorization", auth, "X-Request-Id", "proc-req-1");
      assertThat(client.statusCode("/api/v1/tasks/", "Authorization", "Bearer " + WRONG_TOKEN))
          .isEqualTo(401);
      assertThat(client.statusCode("/api/v1/tasks/", "Authorization", auth, "Host", "evil.com"))
          .isEqualTo(400);
      eventually(
          vertx,
          Duration.ofSeconds(20),
          () -> "done".equals(client.status(id, "Authorization", auth)));

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
    } finally {
      process.destroyForcibly();
    }

    List<JsonObject> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      lines.add(new JsonObject(line)); // every line is one JSON object
    }
    assertThat(lines)
        .anySatisfy(
            line -> {
              assertThat(line.getString("loggerName")).isEqualTo("io.taskservice.access");
              assertThat(line.getJsonObject("mdc").getString("request_id")).isEqualTo("proc-req-1");
              assertThat(line.getString("formattedMessage")).startsWith("POST /api/v1/tasks/ 201");
            })
        .anySatisfy(line -> assertThat(line.getString("formattedMessage")).isEqualTo("Stopped"));
    String everything = Files.readString(out) + Files.readString(err);
    assertThat(everything)
        .doesNotContain(TOKEN)
        .doesNotContain(WRONG_TOKEN)
        .doesNotContain(DB_PASSWORD);
    assertThat(Files.readString(err)).isEmpty();
  }

  @Test
  void aNodeStillWaitingForItsDatabaseStopsOnSigtermWithExitZero(Vertx vertx, @TempDir Path dir)
      throws Exception {
    int port = closedPort();
    Path out = dir.resolve("stdout.log");
    Path err = dir.resolve("stderr.log");
    Process process =
        startMain(
            Map.of(
                "TASKS_HTTP_PORT",
                Integer.toString(port),
                "TASKS_HTTP_INSTANCES",
                "1",
                "TASKS_DB_URL",
                "postgresql://postgres@127.0.0.1:" + closedPort() + "/tasks"),
            out,
            err);
    try {
      Client client = new Client(vertx, port);
      eventually(vertx, Duration.ofSeconds(60), () -> live(client));
      assertThat(client.statusCode("/health/ready")).isEqualTo(503);

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isZero();
    } finally {
      process.destroyForcibly();
    }
    assertThat(Files.readString(out)).contains("Stopped").doesNotContain("Start-up failed");
  }

  @Test
  void aBadRetentionStopsStartUpWithOneLineNamingIt(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("stdout.log");
    Path err = dir.resolve("stderr.log");
    Process process = startMain(Map.of("TASKS_RETENTION", "a week"), out, err);
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(2);
    } finally {
      process.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out);
    lines.addAll(Files.readAllLines(err));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("TASKS_RETENTION must be a duration").contains("a week");
  }

  @Test
  void badDiscoverySettingsStopStartUpWithOneLineNamingTheSetting(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("stdout.log");
    Path err = dir.resolve("stderr.log");
    // Kubernetes discovery without the Service's name: every pod would form a cluster of its own
    Process process =
        startMain(
            Map.of(
                "TASKS_CLUSTER", "true",
                "TASKS_CLUSTER_DISCOVERY", "kubernetes",
                "TASKS_DB_URL", "postgresql://postgres@db.invalid:5432/tasks"),
            out,
            err);
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(2);
    } finally {
      process.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(out);
    lines.addAll(Files.readAllLines(err));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains(
            "TASKS_CLUSTER_SERVICE_DNS must be set when TASKS_CLUSTER_DISCOVERY is kubernetes");
  }

  /**
   * {@code io.taskservice.app.Main} in its own JVM with exactly the given {@code TASKS_*} settings.
   */
  private static Process startMain(Map<String, String> settings, Path out, Path err)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                "io.taskservice.app.Main")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("TASKS_"));
    builder.environment().putAll(settings);
    return builder.start();
  }

  private static boolean live(Client client) {
    try {
      return client.statusCode("/health/live") == 200;
    } catch (IllegalStateException notListeningYet) {
      return false;
    }
  }

  private static boolean ready(Client client) {
    try {
      return client.statusCode("/health/ready") == 200;
    } catch (IllegalStateException notListeningYet) {
      return false;
    }
  }
}
