package io.taskservice.api;

import io.taskservice.domain.Task;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The task representation of the reference service's {@code ModelSerializer}. */
final class TaskJson {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private TaskJson() {}

  static JsonObject of(Task task) {
    return new JsonObject()
        .put("id", task.id())
        .put("title", task.title())
        .put("status", task.status().wire())
        .put("result", task.result() == null ? null : task.result().wire())
        .put("created_at", timestamp(task.createdAt()))
        .put("updated_at", timestamp(task.updatedAt()));
  }

  /**
   * As DRF's {@code DateTimeField}: Python's {@code isoformat()} in UTC with {@code Z}, so the
   * microseconds are left out when they are zero.
   */
  static String timestamp(OffsetDateTime time) {
    OffsetDateTime utc = time.withOffsetSameInstant(ZoneOffset.UTC);
    int micros = utc.getNano() / 1000;
    String seconds = SECONDS.format(utc);
    return micros == 0 ? seconds + "Z" : seconds + String.format(".%06dZ", micros);
  }
}
