package io.taskservice.domain;

import java.util.Optional;

/**
 * The life cycle of a task: {@code new → processing → done | failed}, and {@code cancelled} from
 * {@code new} or {@code processing}. Every path that changes a status asks this state machine
 * first.
 */
public enum TaskStatus {
  NEW("new"),
  PROCESSING("processing"),
  DONE("done"),
  FAILED("failed"),
  CANCELLED("cancelled");

  private final String wire;

  TaskStatus(String wire) {
    this.wire = wire;
  }

  /** The value stored in the database and shown in the API. */
  public String wire() {
    return wire;
  }

  public boolean isFinal() {
    return this == DONE || this == FAILED || this == CANCELLED;
  }

  /**
   * Whether a worker may claim a task in this status. A task being processed may be claimed again
   * only when its holder's lease has expired (the holder is presumed dead).
   */
  public boolean isClaimable(boolean leaseExpired) {
    return switch (this) {
      case NEW -> true;
      case PROCESSING -> leaseExpired;
      case DONE, FAILED, CANCELLED -> false;
    };
  }

  public boolean canBecome(TaskStatus next) {
    return switch (this) {
      case NEW -> next == PROCESSING || next == CANCELLED;
      // processing → processing is a takeover of an expired claim by another worker
      case PROCESSING -> next == PROCESSING || next.isFinal();
      case DONE, FAILED, CANCELLED -> false;
    };
  }

  /** Returns {@code next} if this status may become it, otherwise throws. */
  public TaskStatus transitionTo(TaskStatus next) {
    if (!canBecome(next)) {
      throw new IllegalTransitionException(this, next);
    }
    return next;
  }

  public static Optional<TaskStatus> fromWire(String value) {
    for (TaskStatus status : values()) {
      if (status.wire.equals(value)) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }

  /** A status as the database stores it; anything else is a bug elsewhere and fails here. */
  public static TaskStatus stored(String value) {
    return fromWire(value)
        .orElseThrow(() -> new IllegalStateException("unknown status in database: " + value));
  }
}
