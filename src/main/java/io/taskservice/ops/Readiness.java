package io.taskservice.ops;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The conditions besides a reachable database that make a node ready: the schema migrated, the
 * worker consuming, the cluster joined. The parts of the node that know raise and lower them;
 * {@code GET /health/ready} reports them. Conditions are added while the node starts, before its
 * HTTP side is deployed; raising and lowering them is safe from any thread.
 */
public final class Readiness {
  /** The database schema is migrated (down until the first successful migration). */
  public static final String SCHEMA = "schema";

  /** The worker's event-bus consumer is registered (nodes that process tasks). */
  public static final String WORKER = "worker";

  /**
   * The node is a member of its cluster (clustered nodes only). Up from the start: a clustered
   * Vert.x is only built once it has joined. The cluster code lowers it while the node is not a
   * member (its member stopped, or it is merging back after a split) and raises it once it is back.
   */
  public static final String CLUSTER = "cluster";

  /**
   * The node's change feed keeps up with the log (HTTP nodes only): down while its reads have not
   * reached the end of the log for longer than a limit.
   */
  public static final String CHANGEFEED = "changefeed";

  private final List<Condition> conditions = new CopyOnWriteArrayList<>();

  /** Adds a condition that is not met yet, for {@code reason}. */
  public Condition add(String name, String reason) {
    Condition condition = new Condition(name, reason);
    conditions.add(condition);
    return condition;
  }

  /** Adds a condition that holds until someone lowers it. */
  public Condition addUp(String name) {
    Condition condition = add(name, "");
    condition.up();
    return condition;
  }

  public Optional<Condition> get(String name) {
    return conditions.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public List<Condition> conditions() {
    return List.copyOf(conditions);
  }

  /** One named condition; while it is down, the node is not ready and says why. */
  public static final class Condition {
    private final String name;
    // null while the condition holds
    private volatile String downReason;

    private Condition(String name, String downReason) {
      this.name = name;
      this.downReason = downReason;
    }

    public String name() {
      return name;
    }

    public boolean isUp() {
      return downReason == null;
    }

    /** Why the condition does not hold, or null while it does. */
    public String reason() {
      return downReason;
    }

    public void up() {
      downReason = null;
    }

    public void down(String reason) {
      downReason = reason == null || reason.isBlank() ? name + " not ready" : reason;
    }
  }
}
