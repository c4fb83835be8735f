package io.taskservice.config;

/** An invalid configuration value; the message names the variable and says what is expected. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
