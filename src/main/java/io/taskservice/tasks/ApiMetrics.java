package io.taskservice.tasks;

import java.util.function.IntConsumer;

/** What the API reports, for the metrics. */
public interface ApiMetrics {
  /** A task was created (committed). */
  void created();

  /** {@code n} tasks were cancelled (committed). */
  void cancelled(int n);

  /** The metrics of {@code created} and {@code cancelled}. */
  static ApiMetrics of(Runnable created, IntConsumer cancelled) {
    return new ApiMetrics() {
      @Override
      public void created() {
        created.run();
      }

      @Override
      public void cancelled(int n) {
        cancelled.accept(n);
      }
    };
  }
}
