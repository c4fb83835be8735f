package io.taskservice.domain;

/** An idempotency key arrived again with another request than the one it first came with. */
public final class KeyReusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeyReusedException(String key) {
    super("idempotency key reused with another request: " + key, null, false, false);
  }
}
