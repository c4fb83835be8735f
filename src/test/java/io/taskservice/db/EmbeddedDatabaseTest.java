package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.db.EmbeddedDatabase.EmbeddedDatabaseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL a node starts for itself: durable settings, data kept across restarts, its process
 * gone after {@code close()}, one process per directory, and a stale {@code postmaster.pid} naming
 * someone else's process never leads to signalling that process.
 */
class EmbeddedDatabaseTest {
  // unpacked once for every test run, as TestDatabase does
  private static final Path BINARIES = Path.of("target", "test-postgres", "bin").toAbsolutePath();
  private Path dir;

  @BeforeEach
  void directory() {
    dir = Path.of("target", "embedded-test", UUID.randomUUID().toString()).toAbsolutePath();
  }

  @AfterEach
  void deleteDirectory() throws IOException {
    EmbeddedDatabase.reclaim(dir);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void keepsDataAcrossRestartsWithFsyncAndSynchronousCommitOn() throws Exception {
    long pid;
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, BINARIES)) {
      assertThat(db.url()).isEqualTo("postgresql://postgres@localhost:" + db.port() + "/tasks");
      assertThat(query(db, "SHOW fsync")).isEqualTo("on");
      assertThat(query(db, "SHOW synchronous_commit")).isEqualTo("on");
      assertThat(query(db, "SHOW data_directory")).isEqualTo(dir.resolve("data").toString());
      assertThat(query(db, "SHOW unix_socket_directories")).isEmpty();
      execute(db, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
      pid = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0));
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(dir.resolve("data/postmaster.pid")).doesNotExist();
    assertThat(dir.resolve("postgresql.log")).isNotEmptyFile();

    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, BINARIES)) {
      assertThat(query(db, "SELECT v FROM kept")).isEqualTo("still here");
    }
  }

  @Test
  void aSecondProcessOnTheSameDirectoryIsRefused() {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, BINARIES)) {
      assertThatThrownBy(() -> EmbeddedDatabase.start(dir, BINARIES))
          .isInstanceOf(EmbeddedDatabaseException.class)
          .hasMessageContaining("in use by another task-service process");
      assertThat(EmbeddedDatabase.reclaim(dir)).isFalse();
    }
  }

  @Test
  void aStalePidFileNamingAnotherProcessIsRemovedAndThatProcessLeftAlone() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, BINARIES)) {
      execute(db, "SELECT 1");
    }
    Process stranger = new ProcessBuilder("sleep", "600").start();
    try {
      // what a server killed together with its machine leaves, once its pid went to another
      Files.writeString(
          dir.resolve("data/postmaster.pid"),
          stranger.pid() + "\n" + dir.resolve("data") + "\n1700000000\n5432\n\nlocalhost\n");
      try (EmbeddedDatabase db = EmbeddedDatabase.start(dir, BINARIES)) {
        assertThat(query(db, "SELECT 'started'")).isEqualTo("started");
      }
      assertThat(stranger.isAlive()).isTrue();
    } finally {
      stranger.destroyForcibly();
    }
  }

  private static String query(EmbeddedDatabase db, String sql) throws SQLException {
    try (Connection c = connect(db);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static void execute(EmbeddedDatabase db, String sql) throws SQLException {
    try (Connection c = connect(db);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Connection connect(EmbeddedDatabase db) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + db.port() + "/postgres", "postgres", "");
  }
}
