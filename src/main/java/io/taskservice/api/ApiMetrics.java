package io.taskservice.api;

/** What the API reports, for the metrics. */
@FunctionalInterface
public interface ApiMetrics {
  /** A task was created (committed). */
  void created();
}
