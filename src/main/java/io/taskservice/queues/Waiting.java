package io.taskservice.queues;

/**
 * What waits in a queue beyond its exact counts, from one index read a second per node.
 *
 * @param scheduled new tasks whose {@code run_after} is still ahead
 * @param stalled processing tasks whose lease ran out while the queue is paused: nobody takes them
 *     over until it is resumed (a takeover obeys the pause)
 */
record Waiting(long scheduled, long stalled) {
  static final Waiting NONE = new Waiting(0, 0);
}
