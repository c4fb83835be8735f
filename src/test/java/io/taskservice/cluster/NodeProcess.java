package io.taskservice.cluster;

import io.taskservice.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node running in its own JVM from the packaged {@code task-service.jar}, as in production. Its
 * output goes to {@code target/it-logs/<name>.log}.
 */
public final class NodeProcess {
  private static final Path JAR =
      Path.of(System.getProperty("task-service.jar", "target/task-service.jar"));
  private static final Path LOGS = Path.of("target", "it-logs");

  private final String name;
  private final Process process;
  private final Path log;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code java -jar task-service.jar} with exactly the given {@code TASKS_*} settings. */
  public static NodeProcess start(String name, Map<String, String> settings) throws IOException {
    return start(name, settings, Path.of(""));
  }

  /** As {@link #start(String, Map)}, in {@code directory} (relative paths resolve there). */
  public static NodeProcess start(String name, Map<String, String> settings, Path directory)
      throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run mvn package (or verify) first");
    }
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // small JVMs: several run side by side on a CI machine
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(directory.toAbsolutePath().toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("TASKS_"));
    builder.environment().putAll(settings);
    builder.redirectErrorStream(true).redirectOutput(log.toAbsolutePath().toFile());
    return new NodeProcess(name, builder.start(), log);
  }

  /** Completes once the node's log shows {@code line}; fails if the node exits first. */
  public Future<Void> logged(Vertx vertx, String line, Duration within) {
    return Await.until(
            vertx,
            within,
            () ->
                vertx
                    .fileSystem()
                    .readFile(log.toString())
                    .map(
                        content -> {
                          if (!process.isAlive()) {
                            throw new IllegalStateException(
                                name + " exited with " + process.exitValue() + ", see " + log);
                          }
                          return content.toString().contains(line);
                        }),
            found -> found)
        .mapEmpty();
  }

  /** The first group of {@code pattern} in the node's output so far; fails when it is not there. */
  public String find(Pattern pattern) throws IOException {
    Matcher m = pattern.matcher(Files.readString(log));
    if (!m.find()) {
      throw new IllegalStateException(name + " logged no " + pattern + ", see " + log);
    }
    return m.group(1);
  }

  /** The node's whole output so far. */
  public String output() throws IOException {
    return Files.readString(log);
  }

  /** SIGKILL: the JVM dies at once, with no chance to finish or hand back anything. */
  public void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM: the node stops gracefully. */
  public void terminate() {
    process.destroy();
  }

  /** The exit code, once the process has exited. */
  public Future<Integer> exit() {
    return Future.fromCompletionStage(process.onExit()).map(Process::exitValue);
  }

  /** Ends the process if a test left it running. */
  public void stop() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
