package io.taskservice.app;

import io.taskservice.config.AppConfig;
import io.taskservice.config.ConfigException;
import io.taskservice.config.Settings;
import io.taskservice.db.EmbeddedDatabase;
import io.taskservice.db.EmbeddedDatabase.EmbeddedDatabaseException;
import io.taskservice.db.Migrations;
import io.taskservice.ops.Failures;
import io.taskservice.ops.LogSetup;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point of {@code task-service.jar}: {@code java -jar task-service.jar} runs a node, {@code
 * java -jar task-service.jar migrate} applies the database migrations and exits.
 */
public final class Main {
  static {
    // before the first logger exists: TASKS_LOG_FORMAT picks the logback configuration
    LogSetup.select(System.getenv());
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private static final AtomicBoolean stopping = new AtomicBoolean();

  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "run" : args[0];
    AppConfig config;
    try {
      config = AppConfig.fromEnvironment();
    } catch (ConfigException e) {
      log.error("Invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    switch (command) {
      case "run" -> run(withDatabase(config));
      case "migrate" -> migrate(withDatabase(config));
      default -> {
        log.error("Unknown command '{}': use 'run' (default) or 'migrate'", command);
        System.exit(2);
      }
    }
  }

  /**
   * Without {@code TASKS_DB_URL}: starts the embedded PostgreSQL and points the configuration at
   * it. It is stopped by a shutdown hook, which runs after the node has stopped, because every exit
   * ends in {@code System.exit}, called once the graceful stop is over.
   */
  private static AppConfig withDatabase(AppConfig config) {
    if (!config.embeddedDatabase()) {
      return config;
    }
    EmbeddedDatabase database;
    try {
      database = EmbeddedDatabase.start(config.dataDir());
    } catch (EmbeddedDatabaseException e) {
      log.error("Embedded PostgreSQL: {}", e.getMessage());
      System.exit(1);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
    return config.with(Map.of(Settings.DB_URL.name(), database.url()));
  }

  private static void migrate(AppConfig config) {
    try {
      int applied = new Migrations(config).run();
      log.info(
          "Database {} is up to date ({} migrations applied)", config.redactedDbUrl(), applied);
      System.exit(0);
    } catch (RuntimeException e) {
      log.error("Migration failed: {}", Failures.rootMessage(e));
      System.exit(1);
    }
  }

  private static void run(AppConfig config) {
    log.info("Starting task-service: {}", config);
    CompletableFuture<Node> started = Node.start(config).toCompletionStage().toCompletableFuture();
    // before start-up completes: a worker may hold tasks as soon as its first sweep ran, and a
    // signal then must stop it gracefully too, not kill the JVM
    Runnable stop = () -> stop(started, config, 0);
    Signal.handle(new Signal("TERM"), sig -> new Thread(stop, "shutdown").start());
    Signal.handle(new Signal("INT"), sig -> new Thread(stop, "shutdown").start());
    Node node;
    try {
      node = started.get();
    } catch (Exception e) {
      log.error("Start-up failed: {}", Failures.rootMessage(e));
      System.exit(1);
      return;
    }
    node.startup()
        .onFailure(
            e -> {
              if (stopping.get()) {
                return; // a signal stopped the node before its start-up had finished
              }
              log.error("Start-up failed: {}", Failures.rootMessage(e));
              new Thread(() -> stop(started, config, 1), "shutdown").start();
            });
  }

  /**
   * Graceful stop on SIGTERM/SIGINT: no new work, in-flight tasks finish or are handed back. A node
   * still starting is stopped once it has started. Only the first call stops; later ones (a second
   * signal) return at once.
   */
  private static void stop(CompletableFuture<Node> started, AppConfig config, int exitStatus) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    log.info("Stopping: finishing in-flight work (up to {} ms)", config.shutdownGraceMs());
    int status = exitStatus;
    try {
      started
          .thenCompose(node -> node.close().toCompletionStage())
          .get(config.shutdownGraceMs() + 15_000, TimeUnit.MILLISECONDS);
      log.info("Stopped");
    } catch (Exception e) {
      log.error("Stop did not complete cleanly: {}", Failures.rootMessage(e));
      status = 1;
    }
    System.exit(status);
  }
}
