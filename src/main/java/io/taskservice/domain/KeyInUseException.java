package io.taskservice.domain;

/**
 * An idempotency key arrived while the request that first carried it is still being processed; the
 * client retries later and then gets that request's task.
 */
public final class KeyInUseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeyInUseException(String key) {
    super("idempotency key in use by a request still in progress: " + key, null, false, false);
  }
}
