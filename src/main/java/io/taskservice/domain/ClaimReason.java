package io.taskservice.domain;

/** Why a worker claimed a task: its event-bus message, or one of the two recovery cases. */
public enum ClaimReason {
  /** The task id arrived over the event bus. */
  MESSAGE,
  /** The task was still new after the grace period: its message was lost or no worker was up. */
  NEW_UNCLAIMED,
  /** The task's previous holder did not finish it before its lease expired. */
  LEASE_EXPIRED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
