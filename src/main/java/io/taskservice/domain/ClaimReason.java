package io.taskservice.domain;

/**
 * Why a worker claimed a task: its queue had work for it (a wake-up, room freed, the due timer), or
 * one of the recovery cases.
 */
public enum ClaimReason {
  /** Claimed in the normal course: a wake-up of its queue, or room freed on the worker. */
  MESSAGE,
  /**
   * The sweep found the task due and claimable for longer than the grace period: its queue's
   * wake-up was lost or no worker was up.
   */
  NEW_UNCLAIMED,
  /** The task's previous holder did not finish it before its lease expired. */
  LEASE_EXPIRED,
  /**
   * The task's previous holder left the cluster and stopped beating in the database: a surviving
   * worker ended its lease at once (history {@code handed_back} with this reason).
   */
  MEMBER_LEFT;

  /** Whether the task was {@code processing} under another claim before: a takeover. */
  public boolean isTakeover() {
    return this == LEASE_EXPIRED || this == MEMBER_LEFT;
  }

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
