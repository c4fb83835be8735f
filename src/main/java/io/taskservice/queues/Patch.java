package io.taskservice.queues;

/**
 * A validated partial update of a queue's settings: the fields the request named.
 *
 * @param paused the new value, or null when the request did not name it
 * @param setsMaxRunning whether the request named {@code max_running}
 * @param maxRunning its new value when named; null clears the cap
 */
record Patch(Boolean paused, boolean setsMaxRunning, Integer maxRunning) {
  Settings applyTo(Settings before) {
    return new Settings(
        paused == null ? before.paused() : paused,
        setsMaxRunning ? maxRunning : before.maxRunning());
  }
}
