package io.taskservice.domain;

import java.util.regex.Pattern;

/** The rule a queue name follows everywhere: the reference model's validator. */
public final class QueueName {
  public static final int MAX_LENGTH = 64;
  private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

  private QueueName() {}

  public static boolean isValid(String name) {
    return name != null && name.length() <= MAX_LENGTH && matchesPattern(name);
  }

  /**
   * The model's pattern alone, whatever the length: DRF checks it and the length apart, each with
   * its own message.
   */
  public static boolean matchesPattern(String name) {
    return VALID.matcher(name).matches();
  }
}
