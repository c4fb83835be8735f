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

  private Addresses() {}
}
