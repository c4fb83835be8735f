package io.taskservice.cluster;

import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import io.taskservice.ops.Readiness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@code cluster} readiness condition in step with this node's Hazelcast member: down
 * while the member is not part of the cluster — it is shutting down or was terminated, or it is
 * merging back after a network split (its event-bus registrations are being rebuilt) — and up again
 * once it has merged.
 */
final class MembershipWatch implements LifecycleListener {
  private static final Logger log = LoggerFactory.getLogger(MembershipWatch.class);

  private final Readiness.Condition member;

  MembershipWatch(Readiness.Condition member) {
    this.member = member;
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    switch (event.getState()) {
      case MERGING -> lost("rejoining the cluster after a network split");
      case MERGE_FAILED -> lost("could not rejoin the cluster after a network split");
      case SHUTTING_DOWN, SHUTDOWN -> lost("left the cluster");
      case MERGED, STARTED -> {
        if (!member.isUp()) {
          log.info("Back in the cluster");
        }
        member.up();
      }
      default -> {
        // client-side states do not concern a member
      }
    }
  }

  private void lost(String reason) {
    if (member.isUp()) {
      log.warn("Not ready: {}", reason);
    }
    member.down(reason);
  }
}
