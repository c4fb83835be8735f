package io.taskservice.domain;

/** The final status of a processed task together with its result. */
public record Outcome(TaskStatus status, TaskResult result) {
  public Outcome {
    if (!status.isFinal()) {
      throw new IllegalArgumentException("an outcome must be final, not " + status.wire());
    }
  }

  public static final Outcome SUCCEEDED = new Outcome(TaskStatus.DONE, TaskResult.SUCCESS);
  public static final Outcome FAILED = new Outcome(TaskStatus.FAILED, TaskResult.ERROR);
}
