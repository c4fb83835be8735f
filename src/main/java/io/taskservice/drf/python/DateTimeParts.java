package io.taskservice.drf.python;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The fields of a Python {@code datetime} as a parser found them, before Python's constructor
 * checks them. {@code offsetMicros} is null for a naive time (no offset given).
 */
public record DateTimeParts(
    int year, int month, int day, int hour, int minute, int second, int micros, Long offsetMicros) {
  static final int MIN_YEAR = 1;
  static final int MAX_YEAR = 9999;
  private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  /** What {@code datetime(...)} accepts without a {@code ValueError}. */
  boolean isValid() {
    return year >= MIN_YEAR
        && year <= MAX_YEAR
        && month >= 1
        && month <= 12
        && day >= 1
        && day <= daysInMonth(year, month)
        && hour >= 0
        && hour <= 23
        && minute >= 0
        && minute <= 59
        && second >= 0
        && second <= 59
        && micros >= 0
        && micros <= 999_999;
  }

  static boolean isLeap(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  static int daysInMonth(int year, int month) {
    return month == 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  }

  /**
   * The instant in UTC, as DRF's {@code enforce_timezone} makes it with the reference's UTC time
   * zone: a naive time is taken as UTC; an aware one is moved to UTC, which is empty (Python's
   * {@code OverflowError}) when that leaves the years 1 to 9999.
   */
  public Optional<OffsetDateTime> inUtc() {
    LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
    LocalDateTime utc = offsetMicros == null ? local : local.minus(offsetMicros, ChronoUnit.MICROS);
    if (utc.getYear() < MIN_YEAR || utc.getYear() > MAX_YEAR) {
      return Optional.empty();
    }
    return Optional.of(utc.atOffset(ZoneOffset.UTC));
  }
}
