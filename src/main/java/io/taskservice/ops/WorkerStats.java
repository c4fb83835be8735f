package io.taskservice.ops;

import io.taskservice.domain.ClaimReason;
import io.taskservice.domain.Completion;
import java.util.Map;

/** What a worker reports about its work, for the metrics. */
public interface WorkerStats {
  void consumerStarted();

  void consumerStopped();

  /** The in-flight limit of each bucket (a queue, or {@code *} for the others). */
  void capacity(Map<String, Integer> limits);

  /** The number of tasks this worker holds in {@code bucket} changed by {@code delta}. */
  void inFlight(String bucket, int delta);

  void recovered(ClaimReason reason);

  void finished(Completion completion);

  void error();
}
