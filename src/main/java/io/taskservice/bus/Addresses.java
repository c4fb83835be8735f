package io.taskservice.bus;

/**
 * The event-bus vocabulary. The bus delivers at most once and keeps nothing: the database stays the
 * truth, a lost message only delays a task until a worker's recovery sweep finds it.
 */
public final class Addresses {
  /**
   * Published: "this queue has tasks to claim". Body: the queue's name, a {@code String}. Sent by
   * the HTTP side after creates committed (one per queue, however many tasks), when a scheduled
   * task falls due, and when a queue is resumed or its cap raised; every worker that consumes the
   * queue claims from it, within its room (the claims skip each other's rows).
   */
  public static final String WAKE_UP = "tasks.wake-up";

  /**
   * Published: "this task was cancelled". Body: the task id, a {@code Long}. Sent by the HTTP side
   * after the cancel committed; the worker holding the task drops it at once (its completion would
   * be refused anyway: the cancel cleared the claim token).
   */
  public static final String CANCELLED = "tasks.cancelled";

  /**
   * Local to a node, published: "PostgreSQL stopped answering". Body: the reason, a {@code String}.
   * Sent by the database probe when it finds the database unreachable; the HTTP verticles answer
   * the calls still waiting for it with 503 at once instead of at their time limit.
   */
  public static final String DATABASE_DOWN = "tasks.database.down";

  private Addresses() {}
}
