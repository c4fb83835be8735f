package io.taskservice.queues;

/**
 * A queue's settings, as every node's claims obey them.
 *
 * @param paused no new claims anywhere while true
 * @param maxRunning cluster-wide cap on the queue's processing tasks; null: none
 */
record Settings(boolean paused, Integer maxRunning) {
  /** A queue without a settings row: neither paused nor capped. */
  static final Settings DEFAULT = new Settings(false, null);

  /**
   * Whether claims may take more of the queue under these settings than under {@code before}: it
   * was resumed, or its cap was raised or cleared, and it is not paused. Lowering a cap preempts
   * nothing, and pausing takes nothing back: neither wakes a worker.
   */
  boolean admitsMoreThan(Settings before) {
    if (paused) {
      return false;
    }
    if (before.paused) {
      return true;
    }
    return before.maxRunning != null && (maxRunning == null || maxRunning > before.maxRunning);
  }
}
