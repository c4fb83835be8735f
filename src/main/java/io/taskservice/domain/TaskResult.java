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
}
