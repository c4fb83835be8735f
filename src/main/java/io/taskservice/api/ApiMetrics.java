package io.taskservice.api;

/** What the API reports: the metrics layer listens here. */
public interface ApiMetrics {
  default void created() {}
}
