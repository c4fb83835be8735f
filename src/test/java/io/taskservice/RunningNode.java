package io.taskservice;

import io.taskservice.app.Node;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node on the test database for the tests of a class (and its nested classes): started before
 * them, once its schema is migrated and its worker (if any) consumes; closed after them; the task
 * table emptied before each test. Register it with {@code @RegisterExtension static final}.
 */
public final class RunningNode implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final Map<String, String> settings;
  // nested test classes run inside the outer one's callbacks: one node for all of them
  private int depth;
  private Node node;
  private ApiClient api;

  private RunningNode(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  /** A node with these settings over the test defaults. */
  public static RunningNode with(Map<String, String> settings) {
    return new RunningNode(settings);
  }

  public Node node() {
    return node;
  }

  /** A client of the node's API. */
  public ApiClient api() {
    return api;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (depth++ == 0) {
      node = TestNodes.started(settings);
      api = new ApiClient(node.vertx(), node.port());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (--depth == 0) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TestDatabase.reset();
  }
}
