package io.taskservice.drf;

import io.taskservice.domain.NewTask;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The canonical text of a validated request, for idempotency fingerprints: the fields in the
 * representation's order with defaults applied and {@code run_after} in UTC as DRF writes it, so
 * bodies that validate alike ({@code " 7 "} and {@code 7}, {@code +05:00} and its UTC time, a form
 * and JSON) have one text. It names no endpoint; a caller that needs one prefixes it.
 */
public final class CanonicalTask {
  private CanonicalTask() {}

  public static String of(NewTask task) {
    return json(task).encode();
  }

  /** A bulk request: its tasks' canonical objects in input order. */
  public static String of(List<NewTask> tasks) {
    JsonArray items = new JsonArray();
    tasks.forEach(task -> items.add(json(task)));
    return items.encode();
  }

  private static JsonObject json(NewTask task) {
    return new JsonObject()
        .put("title", task.title())
        .put("queue", task.queue())
        .put("priority", task.priority())
        .put("run_after", task.runAfter() == null ? null : TaskJson.timestamp(task.runAfter()));
  }
}
