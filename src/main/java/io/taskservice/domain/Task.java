package io.taskservice.domain;

import java.time.OffsetDateTime;

/**
 * A task as stored and shown to clients, in the representation's order. {@code result} is null
 * until the task is final; {@code runAfter} is null unless the task was scheduled.
 */
public record Task(
    long id,
    String title,
    TaskStatus status,
    TaskResult result,
    String queue,
    int priority,
    OffsetDateTime runAfter,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {}
