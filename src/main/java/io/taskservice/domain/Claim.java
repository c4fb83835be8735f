package io.taskservice.domain;

import java.util.UUID;

/**
 * A worker's hold on one task: only the holder of {@code token} may complete it, and only while
 * nobody has taken it over after the lease expired.
 */
public record Claim(long taskId, String title, String queue, UUID token, ClaimReason reason) {}
