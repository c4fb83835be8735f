package io.taskservice.bus;

/**
 * The event-bus vocabulary. The bus delivers at most once and keeps nothing: the database stays the
 * truth, a lost message only delays a task until a worker's recovery sweep finds it.
 */
public final class Addresses {
  /**
   * Point-to-point: "process this task". Body: the task id, a {@code Long}. Sent by the HTTP side
   * after the insert committed; one worker in the cluster receives it.
   */
  public static final String PROCESS_TASK = "tasks.process";

  /**
   * Local to a node, published: "PostgreSQL stopped answering". Body: the reason, a {@code String}.
   * Sent by the database probe when it finds the database unreachable; the HTTP verticles answer
   * the calls still waiting for it with 503 at once instead of at their time limit.
   */
  public static final String DATABASE_DOWN = "tasks.database.down";

  private Addresses() {}
}
