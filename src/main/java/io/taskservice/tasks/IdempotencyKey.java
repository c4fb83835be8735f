package io.taskservice.tasks;

/**
 * A client's {@code Idempotency-Key} with the scope it is unique in.
 *
 * @param scope hex SHA-256 of the client's bearer token, or empty when the API takes no tokens
 * @param key the key as the client sent it: 1 to 255 printable ASCII characters
 */
public record IdempotencyKey(String scope, String key) {}
