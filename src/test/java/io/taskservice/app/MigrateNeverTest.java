package io.taskservice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.config.AppConfig;
import io.taskservice.db.Database;
import io.taskservice.db.Migrations;
import io.taskservice.ops.LogCapture;
import io.taskservice.ops.OpsTesting.Client;
import io.taskservice.ops.Readiness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code TASKS_MIGRATE=never}: a node leaves the schema alone, and while it is behind the node is
 * not ready and says why; once another process has migrated, it starts.
 */
class MigrateNeverTest {

  @Test
  void aNodeWaitsNotReadyForAMigrationItDoesNotRun() throws Exception {
    String database = "tasks_never_" + UUID.randomUUID().toString().replace("-", "");
    TestDatabase.execute("CREATE DATABASE " + database);
    String url = TestDatabase.url().replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
    AppConfig config =
        TestDatabase.config(
            Map.of("TASKS_DB_URL", url, "TASKS_MIGRATE", "never", "TASKS_ROLE", "http"));
    try (LogCapture log = new LogCapture()) {
      Node node = Node.start(config).await(60, TimeUnit.SECONDS);
      try {
        Client client = new Client(node.vertx(), node.port());
        String reason =
            Await.until(
                "readiness to name the pending migrations",
                Duration.ofSeconds(30),
                () -> client.get("/health/ready").bodyAsJsonObject().getString("reason"),
                r -> r != null && r.contains("pending"));
        assertThat(reason)
            .startsWith("schema: database schema is behind this version: ")
            .matches(".*\\d+ migrations pending \\(V1, V2, .*\\).*")
            .endsWith("; run 'task-service migrate' (TASKS_MIGRATE=never)");
        assertThat(client.statusCode("/health/ready")).isEqualTo(503);
        assertThat(node.startup().isComplete())
            .as("started on a schema it does not know")
            .isFalse();
        assertThat(tables(config)).as("the node created nothing").isZero();

        // the migration Job's work, from outside the node
        new Migrations(config).run();

        node.startup().await(30, TimeUnit.SECONDS);
        assertThat(node.readiness().get(Readiness.SCHEMA).orElseThrow().isUp()).isTrue();
        assertThat(client.statusCode("/health/ready")).isEqualTo(200);
        // said once while it waited (not at every check), then that it starts
        String said = reason.substring("schema: ".length());
        assertThat(log.lines()).filteredOn(l -> l.contains("Not ready: " + said)).hasSize(1);
        assertThat(log.lines()).anyMatch(l -> l.contains("Database schema is up to date now"));
      } finally {
        node.close().otherwiseEmpty().await(30, TimeUnit.SECONDS);
      }
    } finally {
      TestDatabase.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** Tables in the public schema of the configured database. */
  private static long tables(AppConfig config) throws Exception {
    try (Connection c =
            DriverManager.getConnection(
                new Migrations(config).jdbcUrl(Database.connectOptions(config).getDatabase()),
                Database.connectOptions(config).getUser(),
                Database.connectOptions(config).getPassword());
        ResultSet rows =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void aCurrentSchemaIsAllItNeeds() throws Exception {
    AppConfig config = TestDatabase.config(Map.of("TASKS_MIGRATE", "never", "TASKS_ROLE", "http"));
    assertThat(new Migrations(config).behind()).isEmpty();
    Node node = Node.start(config).await(60, TimeUnit.SECONDS);
    try {
      node.startup().await(30, TimeUnit.SECONDS);
      assertThat(node.readiness().get(Readiness.SCHEMA).orElseThrow().isUp()).isTrue();
    } finally {
      node.close().otherwiseEmpty().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMissingDatabaseIsBehindToo() {
    String url = TestDatabase.url().replaceFirst("/[^/?]+(\\?|$)", "/tasks_never_missing$1");
    AppConfig config = TestDatabase.config(Map.of("TASKS_DB_URL", url));
    assertThat(new Migrations(config).behind())
        .hasValueSatisfying(
            b -> assertThat(b).startsWith("database \"tasks_never_missing\" does not exist on "));
  }
}
