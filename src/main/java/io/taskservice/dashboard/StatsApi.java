package io.taskservice.dashboard;

import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.Filters;
import io.taskservice.drf.QueryString;
import io.taskservice.drf.TaskJson;
import io.taskservice.http.Responses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/stats/}: the dashboard's figures about the whole cluster, answered from the
 * node's memory ({@link ClusterStats}); however many viewers call it, the database sees at most one
 * read per second per node.
 */
final class StatsApi {
  private final ClusterStats stats;

  StatsApi(ClusterStats stats) {
    this.stats = stats;
  }

  void read(RoutingContext ctx) {
    Optional<String> queue = Filters.queue(QueryString.parse(ctx.request().query()));
    stats.read(queue).onSuccess(s -> Responses.json(ctx, 200, toJson(s))).onFailure(ctx::fail);
  }

  static JsonObject toJson(ClusterStats.Stats stats) {
    TaskActivity.Snapshot activity = stats.activity();
    JsonObject counts = stats.counts().map(StatsApi::counts).orElse(null);
    JsonArray workers = new JsonArray();
    for (WorkerLoads.Load load : stats.workers()) {
      workers.add(new JsonObject().put("worker", load.worker()).put("in_flight", load.inFlight()));
    }
    return new JsonObject()
        .put("counts", counts)
        .put("workers", workers)
        .put(
            "throughput",
            new JsonObject()
                .put("step_seconds", 1)
                .put("end", timestamp(activity.end()))
                .put("created", series(activity.created()))
                .put("finished", series(activity.finished())))
        .put(
            "completion",
            new JsonObject()
                .put("window_seconds", TaskActivity.COMPLETION_WINDOW_SECONDS)
                .put("count", activity.completions())
                .put("p50_seconds", seconds(activity.p50()))
                .put("p95_seconds", seconds(activity.p95())))
        .put("since", timestamp(activity.since()));
  }

  private static JsonObject counts(Map<TaskStatus, Long> counts) {
    JsonObject json = new JsonObject();
    for (TaskStatus status : TaskStatus.values()) {
      json.put(status.wire(), counts.getOrDefault(status, 0L));
    }
    return json;
  }

  private static JsonArray series(long[] values) {
    JsonArray array = new JsonArray();
    for (long v : values) {
      array.add(v);
    }
    return array;
  }

  private static Double seconds(Duration duration) {
    return duration == null ? null : Math.round(duration.toNanos() / 1e6) / 1e3;
  }

  private static String timestamp(Instant instant) {
    return TaskJson.timestamp(instant.atOffset(ZoneOffset.UTC));
  }
}
