package io.taskservice.queues;

import io.taskservice.domain.TaskStatus;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A queue as the API shows it.
 *
 * @param counts exact numbers of tasks per status (wire names); a status without tasks may be left
 *     out
 * @param waiting the part of {@code new} not yet due and the stalled part of {@code processing}
 *     (from the node's cache, at most 1 s old)
 * @param oldestAge seconds since the oldest due new task fell due; null when none is due
 * @param consumers live worker nodes consuming the queue
 */
record QueueState(
    String name,
    Settings settings,
    Map<String, Long> counts,
    Waiting waiting,
    Double oldestAge,
    long consumers) {

  long count(TaskStatus status) {
    return counts.getOrDefault(status.wire(), 0L);
  }

  /** Not more than the queue's new tasks, whatever the cache saw a moment ago. */
  long scheduledNow() {
    return Math.max(0, Math.min(waiting.scheduled(), count(TaskStatus.NEW)));
  }

  /** Not more than the queue's processing tasks, and none once it is resumed. */
  long stalledNow() {
    return settings.paused()
        ? Math.max(0, Math.min(waiting.stalled(), count(TaskStatus.PROCESSING)))
        : 0;
  }

  /** Due new tasks and processing ones: what there is to do (what an autoscaler scales on). */
  long backlog() {
    return count(TaskStatus.NEW) - scheduledNow() + count(TaskStatus.PROCESSING);
  }

  /** The representation, in the serializer's field order. */
  JsonObject toJson() {
    JsonObject countsJson = new JsonObject();
    for (TaskStatus status : TaskStatus.values()) {
      countsJson.put(status.wire(), count(status));
    }
    countsJson.put("scheduled", scheduledNow());
    countsJson.put("stalled", stalledNow());
    return new JsonObject()
        .put("name", name)
        .put("paused", settings.paused())
        .put("max_running", settings.maxRunning())
        .put("counts", countsJson)
        .put("backlog", backlog())
        .put("oldest_new_age_seconds", oldestAge)
        .put("consumers", consumers);
  }
}
