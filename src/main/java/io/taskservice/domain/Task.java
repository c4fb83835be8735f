package io.taskservice.domain;

import java.time.OffsetDateTime;

/** A task as stored and shown to clients. {@code result} is null until the task is final. */
public record Task(
    long id,
    String title,
    TaskStatus status,
    TaskResult result,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {}
