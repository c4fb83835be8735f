package io.taskservice.domain;

/** A status change that the task state machine forbids. */
public final class IllegalTransitionException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public IllegalTransitionException(TaskStatus from, TaskStatus to) {
    super("illegal task transition " + from.wire() + " -> " + to.wire());
  }
}
