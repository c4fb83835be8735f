package io.taskservice.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * This node's view of the cluster's members, for the worker's failover: its own member id (stored
 * with its heartbeat), the members that leave and join, and whether it is the one worker that acts
 * on a departure. Outside a cluster it has no id and nobody ever leaves.
 */
public final class Membership {
  /** A member attribute naming the members that process tasks. */
  static final String PROCESSES = "tasks.processes";

  /** Hears members leave and join; called on a Hazelcast thread. */
  public interface Listener {
    void left(String memberId);

    void joined(String memberId);
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile HazelcastInstance hazelcast;
  private volatile String self;

  /** Starts following {@code instance}'s members; called once the node has joined. */
  void attach(HazelcastInstance instance) {
    hazelcast = instance;
    instance
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {
                tell(event, Listener::joined);
              }

              @Override
              public void memberRemoved(MembershipEvent event) {
                tell(event, Listener::left);
              }
            });
  }

  private void tell(MembershipEvent event, BiConsumer<Listener, String> what) {
    String id = event.getMember().getUuid().toString();
    listeners.forEach(l -> what.accept(l, id));
  }

  /**
   * This node's member id (its Hazelcast member's UUID; the last one it had while its member is not
   * running); empty outside a cluster.
   */
  public Optional<String> self() {
    HazelcastInstance instance = hazelcast;
    try {
      if (instance != null && instance.getLifecycleService().isRunning()) {
        self = instance.getCluster().getLocalMember().getUuid().toString();
      }
    } catch (HazelcastInstanceNotActiveException e) {
      // stopping right now: the last id stands
    }
    return Optional.ofNullable(self);
  }

  /**
   * Whether this node is the oldest member that processes tasks. Every member sees the same member
   * list, oldest first, so after a departure exactly one worker of each side of the cluster answers
   * yes; should it die too, the next oldest does.
   */
  public boolean firstWorker() {
    HazelcastInstance instance = hazelcast;
    if (instance == null || !instance.getLifecycleService().isRunning()) {
      return false;
    }
    try {
      for (Member member : instance.getCluster().getMembers()) {
        if ("true".equals(member.getAttribute(PROCESSES))) {
          return member.localMember();
        }
      }
    } catch (HazelcastInstanceNotActiveException e) {
      // stopping right now: not a member any more
    }
    return false;
  }

  /** Calls {@code listener} for every member that leaves or joins, until the returned runs. */
  public Runnable listen(Listener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
