package io.taskservice.ops;

import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;

/** What a worker reports about its work, for the metrics. */
public interface WorkerStats {
  void consumerStarted();

  void consumerStopped();

  /** The number of tasks this worker holds changed by {@code delta}. */
  void inFlight(int delta);

  void recovered(ClaimReason reason);

  void finished(Completion completion);

  void error();
}
