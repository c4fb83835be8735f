package io.taskservice.domain;

import java.time.Duration;

/** A task that reached its final status, and how long that took from its creation. */
public record Completion(long taskId, Outcome outcome, Duration sinceCreation) {}
