package io.taskservice.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.UUID;

/**
 * Settings for a test cluster on 127.0.0.1: its own cluster name (so that it never merges with
 * another run on the same machine) and a free first port that the first node takes and the others
 * join through.
 */
public final class LoopbackCluster {
  private LoopbackCluster() {}

  /** The cluster settings every node of one test cluster shares. */
  public static Map<String, String> settings() {
    int port = freePort();
    return Map.of(
        "TASKS_CLUSTER",
        "true",
        "TASKS_CLUSTER_NAME",
        "test-" + UUID.randomUUID(),
        "TASKS_CLUSTER_HOST",
        "127.0.0.1",
        "TASKS_CLUSTER_PORT",
        Integer.toString(port),
        "TASKS_CLUSTER_MEMBERS",
        "127.0.0.1:" + port);
  }

  /** A TCP port that nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
