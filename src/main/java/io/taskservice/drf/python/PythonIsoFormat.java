package io.taskservice.drf.python;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Python 3.11's {@code datetime.fromisoformat}, as its C implementation (the one CPython runs)
 * reads a string: the string's UTF-8 bytes with a NUL after them, any single character between date
 * and time, week dates, basic and extended forms, fractions of any length (cut to microseconds),
 * offsets down to microseconds. Its quirks are kept, because Django's {@code parse_datetime} only
 * falls back to its own pattern when this refuses: an embedded NUL ends the string for some checks
 * and not others, a time part may end in a separator before its offset.
 */
final class PythonIsoFormat {
  private static final int[] CORRECTION = {100000, 10000, 1000, 100, 10};
  private static final int[] DAYS_BEFORE_MONTH = {
    0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
  };

  private final byte[] bytes;
  private final int[] out = new int[4];

  private PythonIsoFormat(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The parts of a valid string; empty where Python raises {@code ValueError}. */
  static Optional<DateTimeParts> parse(String value) {
    int[] cps = value.codePoints().toArray();
    if (cps.length < 7) {
      return Optional.empty();
    }
    // a surrogate is allowed where the separator may be (CPython replaces it with 'T')
    for (int pos : new int[] {7, 8, 10}) {
      if (pos > cps.length) {
        break;
      }
      if (pos < cps.length && isSurrogate(cps[pos])) {
        cps[pos] = 'T';
        break;
      }
    }
    for (int cp : cps) {
      if (isSurrogate(cp)) {
        return Optional.empty(); // not encodable as UTF-8
      }
    }
    byte[] utf8 = new String(cps, 0, cps.length).getBytes(StandardCharsets.UTF_8);
    return new PythonIsoFormat(utf8).datetime();
  }

  private static boolean isSurrogate(int cp) {
    return cp >= 0xD800 && cp <= 0xDFFF;
  }

  private int at(int i) {
    return i < bytes.length ? bytes[i] & 0xff : 0;
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  /** C's {@code parse_digits}: the value, or -1 when a byte is not a digit. */
  private int digits(int from, int count) {
    int value = 0;
    for (int i = 0; i < count; i++) {
      int c = at(from + i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private Optional<DateTimeParts> datetime() {
    int len = bytes.length;
    int separator = separator(len);
    int[] date = date(separator < 0 ? Long.MAX_VALUE : separator);
    if (date == null) {
      return Optional.empty();
    }
    int[] time = {0, 0, 0, 0};
    Long offset = null;
    if (len > separator) {
      int p = separator + width(at(separator));
      int rv = time(p, len - p, time);
      if (rv < 0) {
        return Optional.empty();
      }
      if (rv == 1) {
        if (Math.abs(tzSeconds) >= 86400) {
          return Optional.empty();
        }
        // CPython answers UTC for zero seconds, whatever the microseconds were
        offset = tzSeconds == 0 ? 0L : tzSeconds * 1_000_000L + tzMicros;
      }
    }
    DateTimeParts parts =
        new DateTimeParts(date[0], date[1], date[2], time[0], time[1], time[2], time[3], offset);
    return parts.isValid() ? Optional.of(parts) : Optional.empty();
  }

  /** The byte length of the UTF-8 character whose first byte this is, as CPython guesses it. */
  private static int width(int lead) {
    if ((lead & 0x80) == 0) {
      return 1;
    }
    return switch (lead & 0xf0) {
      case 0xe0 -> 3;
      case 0xf0 -> 4;
      default -> 2;
    };
  }

  private int separator(int len) {
    if (len == 7) {
      return 7;
    }
    if (at(4) == '-') {
      if (at(5) != 'W') {
        return 10;
      }
      if (len < 8) {
        return -1;
      }
      if (len > 8 && at(8) == '-') {
        if (len == 9) {
          return -1;
        }
        return len > 10 && isDigit(at(10)) ? 8 : 10;
      }
      return 8;
    }
    if (at(4) == 'W') {
      int idx = 7;
      while (idx < len && isDigit(at(idx))) {
        idx++;
      }
      if (idx < 9) {
        return idx;
      }
      return idx % 2 == 0 ? 7 : 8;
    }
    return 8;
  }

  /** {@code {year, month, day}}, or null. */
  private int[] date(long len) {
    int year = digits(0, 4);
    if (year < 0) {
      return null;
    }
    int p = 4;
    boolean dashes = at(p) == '-';
    if (dashes) {
      p++;
    }
    if (at(p) == 'W') {
      p++;
      int week = digits(p, 2);
      if (week < 0) {
        return null;
      }
      p += 2;
      int weekday = 1;
      if (p < len) {
        if (dashes && at(p++) != '-') {
          return null;
        }
        weekday = digits(p, 1);
        if (weekday < 0) {
          return null;
        }
      }
      return isoToYmd(year, week, weekday);
    }
    int month = digits(p, 2);
    if (month < 0) {
      return null;
    }
    p += 2;
    if (dashes && at(p++) != '-') {
      return null;
    }
    int day = digits(p, 2);
    return day < 0 ? null : new int[] {year, month, day};
  }

  private int tzSeconds;
  private int tzMicros;

  /** C's {@code parse_isoformat_time}: 0 without an offset, 1 with one, negative on failure. */
  private int time(int p, int len, int[] time) {
    int end = p + len;
    int tz = p;
    do {
      int c = at(tz);
      if (c == 'Z' || c == '+' || c == '-') {
        break;
      }
    } while (++tz < end);
    int rv = hhmmssff(p, tz, time);
    if (rv < 0) {
      return rv;
    }
    if (tz == end) {
      return rv == 1 ? -5 : 0;
    }
    if (at(tz) == 'Z') {
      tzSeconds = 0;
      tzMicros = 0;
      return at(tz + 1) != 0 ? -5 : 1;
    }
    int sign = at(tz) == '-' ? -1 : 1;
    rv = hhmmssff(tz + 1, end, out);
    tzSeconds = sign * (out[0] * 3600 + out[1] * 60 + out[2]);
    tzMicros = sign * out[3];
    return rv != 0 ? -5 : 1;
  }

  /** C's {@code parse_hh_mm_ss_ff} over {@code [p, end)}. */
  private int hhmmssff(int p, int end, int[] vals) {
    vals[0] = vals[1] = vals[2] = vals[3] = 0;
    boolean separated = true;
    for (int i = 0; i < 3; i++) {
      vals[i] = digits(p, 2);
      if (vals[i] < 0) {
        vals[i] = 0;
        return -3;
      }
      p += 2;
      int c = at(p++);
      if (i == 0) {
        separated = c == ':';
      }
      if (p >= end) {
        return c != 0 ? 1 : 0;
      } else if (separated && c == ':') {
        continue;
      } else if (c == '.' || c == ',') {
        break;
      } else if (!separated) {
        --p;
      } else {
        return -4;
      }
    }
    int toParse = Math.min(end - p, 6);
    int micros = digits(p, toParse);
    if (micros < 0) {
      return -3;
    }
    p += toParse;
    vals[3] = toParse > 0 && toParse < 6 ? micros * CORRECTION[toParse - 1] : micros;
    while (isDigit(at(p))) {
      ++p;
    }
    return at(p) != 0 ? 1 : 0;
  }

  /** C's {@code iso_to_ymd}; null where it fails or its arithmetic leaves year 1. */
  private static int[] isoToYmd(int year, int week, int weekday) {
    if (week <= 0 || week >= 53) {
      boolean longYear = false;
      if (week == 53 && year >= DateTimeParts.MIN_YEAR) {
        int first = weekday(year);
        longYear = first == 3 || (first == 2 && DateTimeParts.isLeap(year));
      }
      if (!longYear) {
        return null;
      }
    }
    if (weekday <= 0 || weekday >= 8 || year < DateTimeParts.MIN_YEAR) {
      return null;
    }
    int firstDay = ordinal(year, 1, 1);
    int firstWeekday = (firstDay + 6) % 7;
    int monday = firstDay - firstWeekday + (firstWeekday > 3 ? 7 : 0);
    return fromOrdinal(monday + (week - 1) * 7 + weekday - 1);
  }

  /** Monday is 0, as {@code date.weekday()}. */
  private static int weekday(int year) {
    return (ordinal(year, 1, 1) + 6) % 7;
  }

  private static int ordinal(int year, int month, int day) {
    int y = year - 1;
    int before = DAYS_BEFORE_MONTH[month] + (month > 2 && DateTimeParts.isLeap(year) ? 1 : 0);
    return y * 365 + y / 4 - y / 100 + y / 400 + before + day;
  }

  private static int[] fromOrdinal(int ordinal) {
    java.time.LocalDate date = java.time.LocalDate.of(1, 1, 1).plusDays(ordinal - 1L);
    return new int[] {date.getYear(), date.getMonthValue(), date.getDayOfMonth()};
  }
}
