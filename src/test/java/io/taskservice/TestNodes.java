package io.taskservice;

import io.taskservice.app.Node;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Nodes on the test database for tests that talk to a running service. */
public final class TestNodes {
  private TestNodes() {}

  /** A node with these settings, once its schema is migrated and its worker (if any) consumes. */
  public static Node started(Map<String, String> settings) throws Exception {
    Node node = Node.start(TestDatabase.config(settings)).await(30, TimeUnit.SECONDS);
    node.startup().await(30, TimeUnit.SECONDS);
    return node;
  }
}
