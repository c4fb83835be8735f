package io.taskservice.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as settings write them: ISO-8601 ({@code P7D}, {@code PT12H}), a number with one unit
 * ({@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 500ms}), or {@code 0} for "off".
 */
public final class Durations {
  static final String EXPECTED =
      "a duration such as P7D, PT12H, 7d, 12h, 30m, 45s, 500ms, or 0 for off";
  private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

  private Durations() {}

  /** The duration {@code text} names; throws {@link IllegalArgumentException} otherwise. */
  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Duration d;
    if (s.startsWith("p")) {
      try {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not " + EXPECTED, e);
      }
    } else {
      Matcher m = SHORT.matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException("not " + EXPECTED);
      }
      long n = Long.parseLong(m.group(1));
      try {
        d =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("too long: " + text.trim(), e);
      }
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative: " + text.trim());
    }
    return d;
  }

  /** The shortest form {@link #parse} reads back: {@code 7d}, {@code 90m}, {@code 0}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    long ms = d.toMillis();
    if (d.getNano() % 1_000_000 != 0) {
      return d.toString(); // below a millisecond: only ISO-8601 says it
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
