package io.taskservice.worker;

import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;

/** What a worker reports about its work: metrics and readiness listen here. */
public interface WorkerStats {
  default void consumerStarted() {}

  default void consumerStopped() {}

  /** The number of tasks this worker holds changed by {@code delta}. */
  default void inFlight(int delta) {}

  default void recovered(ClaimReason reason) {}

  default void finished(Completion completion) {}

  default void error() {}
}
