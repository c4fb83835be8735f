package io.taskservice;

import io.taskservice.config.AppConfig;
import io.taskservice.db.EmbeddedDatabase;
import io.taskservice.db.Migrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL every test runs against: the database named by {@code TASKS_TEST_DB_URL} when
 * set (a scratch database: tests wipe it), otherwise a Testcontainers PostgreSQL when Docker is
 * available, otherwise the embedded PostgreSQL in a throw-away directory under {@code
 * target/test-postgres/}. Migrated once per test run (JVM).
 */
public final class TestDatabase {
  public static final String ENV = "TASKS_TEST_DB_URL";
  private static final Path EMBEDDED_ROOT = Path.of("target", "test-postgres").toAbsolutePath();
  private static String url;
  private static PostgreSQLContainer container;

  private TestDatabase() {}

  /** {@code postgresql://user:password@host:port/database} of the migrated test database. */
  public static synchronized String url() {
    if (url == null) {
      url = locate();
      new Migrations(AppConfig.load(Map.of("TASKS_DB_URL", url))).run();
    }
    return url;
  }

  /** A configuration for a node on the test database, on a free port, with {@code overrides}. */
  public static AppConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("TASKS_DB_URL", url());
    env.put("TASKS_HTTP_PORT", "0");
    env.put("TASKS_HTTP_INSTANCES", "1");
    env.putAll(overrides);
    return AppConfig.load(env);
  }

  /**
   * The test database's URL for a login role of its own, {@code tasks_pw_<database>}, that signs in
   * with {@code password}: a test that needs a password in the URL works against a server that
   * checks passwords, without touching the password of the role the tests connect with. The role is
   * a member of that role, so it may use everything the tests' role owns.
   */
  public static String urlWithPassword(String password) {
    String role = roleFor(password);
    return url().replaceFirst("//([^/@]*@)?", "//" + role + ":" + password + "@");
  }

  private static String roleFor(String password) {
    String role =
        "tasks_pw_" + database().replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(Locale.ROOT);
    execute(
        "DO $$ BEGIN"
            + " IF EXISTS (SELECT FROM pg_roles WHERE rolname = '"
            + role
            + "') THEN EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', '"
            + role
            + "', '"
            + password
            + "');"
            + " ELSE EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', '"
            + role
            + "', '"
            + password
            + "'); END IF;"
            + " EXECUTE format('GRANT %I TO %I', current_user, '"
            + role
            + "'); END $$");
    return role;
  }

  private static String database() {
    AppConfig config = AppConfig.load(Map.of("TASKS_DB_URL", url()));
    return io.taskservice.db.Database.connectOptions(config).getDatabase();
  }

  /**
   * Deletes every task (and what refers to it) and restarts the ids, so that each test starts from
   * an empty table.
   */
  public static void reset() {
    truncate("TRUNCATE tasks RESTART IDENTITY CASCADE");
    truncate("TRUNCATE queues, workers");
  }

  // a node's claim may hold the counts or a queue's settings while it waits for tasks, which
  // TRUNCATE takes in the other order: PostgreSQL then aborts one of them, and a few tries settle
  // it
  private static void truncate(String sql) {
    for (int attempt = 1; ; attempt++) {
      try {
        execute(sql);
        return;
      } catch (IllegalStateException e) {
        if (attempt >= 5 || !e.getMessage().contains("deadlock detected")) {
          throw e;
        }
      }
    }
  }

  /** Runs one SQL statement on the test database (for arranging states a test needs). */
  public static void execute(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The single number a query such as {@code SELECT count(*) ...} answers. */
  public static long count(String sql) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** A new JDBC connection to the test database, as the service's own user. */
  public static Connection connect() throws SQLException {
    AppConfig config = AppConfig.load(Map.of("TASKS_DB_URL", url()));
    var options = io.taskservice.db.Database.connectOptions(config);
    return DriverManager.getConnection(
        new Migrations(config).jdbcUrl(options.getDatabase()),
        options.getUser(),
        options.getPassword());
  }

  private static String locate() {
    String configured = System.getenv(ENV);
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    if (dockerAvailable()) {
      container = new PostgreSQLContainer("postgres:15-alpine");
      container.start();
      return "postgresql://"
          + container.getUsername()
          + ":"
          + container.getPassword()
          + "@"
          + container.getHost()
          + ":"
          + container.getFirstMappedPort()
          + "/"
          + container.getDatabaseName();
    }
    return startEmbedded();
  }

  /**
   * An embedded server of its own for this JVM, on a free port, deleted when the JVM exits; the
   * binaries are unpacked once for every run. Directories of earlier runs whose JVM was killed are
   * reclaimed (their server stopped) and deleted first.
   */
  private static String startEmbedded() {
    try {
      Files.createDirectories(EMBEDDED_ROOT);
      try (Stream<Path> runs = Files.list(EMBEDDED_ROOT)) {
        runs.filter(d -> d.getFileName().toString().startsWith("run-"))
            .filter(EmbeddedDatabase::reclaim)
            .forEach(TestDatabase::deleteTree);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path dir = EMBEDDED_ROOT.resolve("run-" + UUID.randomUUID());
    EmbeddedDatabase embedded = EmbeddedDatabase.start(dir, EMBEDDED_ROOT.resolve("bin"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  embedded.close();
                  deleteTree(dir);
                },
                "test-postgres-stop"));
    return embedded.url();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | Error e) {
      return false;
    }
  }
}
