package io.taskservice.domain;

/** The result a finished task reports. */
public enum TaskResult {
  SUCCESS("success"),
  ERROR("error");

  private final String wire;

  TaskResult(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** A result as the database stores it (null until final); anything else fails here. */
  public static TaskResult stored(String value) {
    if (value == null) {
      return null;
    }
    for (TaskResult result : values()) {
      if (result.wire.equals(value)) {
        return result;
      }
    }
    throw new IllegalStateException("unknown result in database: " + value);
  }
}
