package io.taskservice.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One setting, declared once in {@link Settings}: the environment variable that sets it, its type
 * (parsing and validation), its default (as text), whether it is a secret (redacted in logs), and
 * one line of documentation for the generated table.
 */
public record Setting<T>(
    String name, SettingType<T> type, String defaultText, boolean secret, String doc) {

  /** The variable that names a file holding the value instead (the Docker secrets convention). */
  public String fileVariable() {
    return name + "_FILE";
  }

  /**
   * The value {@code env} gives this setting: read from the file named by {@code <NAME>_FILE} when
   * that is set, else from {@code <NAME>}, else the default. Throws {@link ConfigException} naming
   * the variable.
   */
  public T read(Map<String, String> env) {
    String text = text(env);
    try {
      return type.parse(text);
    } catch (IllegalArgumentException e) {
      // a secret's text is never echoed, not even when it is invalid
      throw new ConfigException(
          name + " must " + e.getMessage() + (secret ? "" : ", got '" + text + "'"));
    }
  }

  /** The text {@link #read} reads back as {@code value}. */
  public String format(T value) {
    return type.format(value);
  }

  /** The value as logs may show it. */
  public String show(T value) {
    return secret ? type.redact(value) : type.format(value);
  }

  private String text(Map<String, String> env) {
    String file = env.get(fileVariable());
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).trim();
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(fileVariable() + " names a file that cannot be read: " + file);
      }
    }
    String value = env.get(name);
    return value == null ? defaultText : value.trim();
  }
}
