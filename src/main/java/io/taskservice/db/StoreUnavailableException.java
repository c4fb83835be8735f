package io.taskservice.db;

/**
 * The database cannot be reached right now (connection refused or lost, pool exhausted, timed out,
 * schema not migrated yet). Callers answer 503 and try again later; nothing was changed.
 */
public final class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
