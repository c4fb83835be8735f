package io.taskservice.domain;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What a create asks for, validated: the trimmed title, the queue, the priority (0 first, 9 last)
 * and the time before which no worker may claim it ({@code null}: at once).
 */
public record NewTask(String title, String queue, int priority, OffsetDateTime runAfter) {
  public static final String DEFAULT_QUEUE = "default";

  /** A task for the default queue at the default priority, due at once. */
  public static NewTask of(String title) {
    return new NewTask(title, DEFAULT_QUEUE, 0, null);
  }

  /**
   * The task this request became once stored under {@code id} at {@code createdAt}: new, with no
   * result, updated when created; {@code runAfter} as the database holds it (UTC).
   */
  public Task created(long id, OffsetDateTime createdAt) {
    return new Task(
        id,
        title,
        TaskStatus.NEW,
        null,
        queue,
        priority,
        runAfter == null ? null : runAfter.withOffsetSameInstant(ZoneOffset.UTC),
        createdAt,
        createdAt);
  }
}
