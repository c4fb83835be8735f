package io.taskservice.drf.python;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Django 4.2's {@code parse_datetime} on Python 3.11: {@link PythonIsoFormat} first, then Django's
 * own pattern, whose {@code \d} is any Unicode decimal digit, whose {@code \s} is Python's
 * whitespace and whose {@code $} also matches before a final newline. Empty when neither reads the
 * string, or when the fields it found make no valid {@code datetime}.
 */
public final class DjangoDateTime {
  private static final String D = "\\p{Nd}";
  private static final String SPACE =
      "[\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
          + "\\u2028\\u2029\\u202f\\u205f\\u3000]";
  private static final Pattern DATETIME =
      Pattern.compile(
          ("(?<year>D{4})-(?<month>D{1,2})-(?<day>D{1,2})"
                  + "[T ](?<hour>D{1,2}):(?<minute>D{1,2})"
                  + "(?::(?<second>D{1,2})(?:[.,](?<micro>D{1,6})D{0,6})?)?"
                  + "S*(?<tz>Z|[+-]D{2}(?::?D{2})?)?$")
              .replace("D", D)
              .replace("S", SPACE),
          Pattern.UNIX_LINES);

  private DjangoDateTime() {}

  public static Optional<DateTimeParts> parse(String value) {
    Optional<DateTimeParts> iso = PythonIsoFormat.parse(value);
    if (iso.isPresent()) {
      return iso;
    }
    Matcher m = DATETIME.matcher(value);
    if (!m.lookingAt()) {
      return Optional.empty();
    }
    String micro = m.group("micro");
    Long offset = null;
    String tz = m.group("tz");
    if (tz != null && !tz.equals("Z")) {
      int[] digits =
          tz.codePoints().skip(1).filter(c -> c != ':').map(DjangoDateTime::digit).toArray();
      int minutes = digits[0] * 600 + digits[1] * 60;
      if (digits.length > 2) {
        minutes += digits[2] * 10 + digits[3];
      }
      if (minutes >= 24 * 60) {
        return Optional.empty(); // timezone() refuses a day or more
      }
      offset = (tz.charAt(0) == '-' ? -minutes : minutes) * 60_000_000L;
    } else if (tz != null) {
      offset = 0L;
    }
    DateTimeParts parts =
        new DateTimeParts(
            number(m.group("year")),
            number(m.group("month")),
            number(m.group("day")),
            number(m.group("hour")),
            number(m.group("minute")),
            m.group("second") == null ? 0 : number(m.group("second")),
            micro == null ? 0 : number(padMicros(micro)),
            offset);
    return parts.isValid() ? Optional.of(parts) : Optional.empty();
  }

  /** {@code micro.ljust(6, "0")}: digits counted as code points. */
  private static String padMicros(String micro) {
    StringBuilder out = new StringBuilder(micro);
    for (int n = micro.codePointCount(0, micro.length()); n < 6; n++) {
      out.append('0');
    }
    return out.toString();
  }

  private static int digit(int cp) {
    return Character.digit(cp, 10);
  }

  /** {@code int(s)} of a run of decimal digits. */
  private static int number(String digits) {
    return digits.codePoints().reduce(0, (n, cp) -> n * 10 + digit(cp));
  }
}
