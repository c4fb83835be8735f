package io.taskservice.tasks;

/** What the API reports, for the metrics. */
@FunctionalInterface
public interface ApiMetrics {
  /** A task was created (committed). */
  void created();
}
