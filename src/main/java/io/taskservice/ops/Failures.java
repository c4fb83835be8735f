package io.taskservice.ops;

/** Failures as one log line tells them. */
public final class Failures {
  private Failures() {}

  /** The message of the innermost cause, its first line only (or its class when it has none). */
  public static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
