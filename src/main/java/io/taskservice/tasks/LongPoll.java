package io.taskservice.tasks;

import io.taskservice.domain.Task;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.QueryString;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The long poll's rules on {@code GET /api/v1/tasks/{id}/}: how long to wait ({@code ?wait=}, or
 * {@code Prefer: wait=} as RFC 7240 has it) and the task's {@code ETag} for {@code If-None-Match}.
 */
final class LongPoll {
  /** Longer waits are cut to this. */
  static final long MAX_WAIT_MS = 60_000;

  // Python's float(): digits with an optional fraction and exponent, underscores between digits
  private static final Pattern FLOAT =
      Pattern.compile(
          "[+-]?(\\d(_?\\d)*(\\.(\\d(_?\\d)*)?)?|\\.\\d(_?\\d)*)([eE][+-]?\\d(_?\\d)*)?");
  private static final Pattern PREFER_WAIT = Pattern.compile("\\d{1,9}");
  private static final String INVALID = "A valid number is required.";

  private LongPoll() {}

  /**
   * How long to wait, and what to say in {@code Preference-Applied}.
   *
   * @param millis the wait, at most {@link #MAX_WAIT_MS}; 0 answers at once
   * @param applied the {@code Preference-Applied} value, or null when {@code ?wait} decided
   */
  record Wait(long millis, String applied) {}

  /**
   * The wait a request asks for: {@code ?wait} (parsed like DRF's FloatField, a bad value is a 400)
   * wins over {@code Prefer: wait} (a malformed preference is ignored, as RFC 7240 says).
   */
  static Optional<Wait> of(HttpServerRequest request, QueryString query) {
    Optional<String> param = query.last("wait");
    if (param.isPresent()) {
      return Optional.of(new Wait(seconds(param.get()), null));
    }
    for (String header : request.headers().getAll("Prefer")) {
      Optional<Long> wait = preferredWait(header);
      if (wait.isPresent()) {
        long ms = Math.min(wait.get() * 1000, MAX_WAIT_MS);
        return Optional.of(new Wait(ms, "wait=" + ms / 1000));
      }
    }
    return Optional.empty();
  }

  /** DRF's FloatField: Python's float() of the stripped text; not finite or negative is a 400. */
  static long seconds(String raw) {
    String text = raw.strip();
    if (!FLOAT.matcher(text).matches()) {
      throw ApiError.field("wait", List.of(INVALID));
    }
    // as Python: 1e999 is infinite (a 400 like "inf"), 1e-999 is 0
    double seconds = Double.parseDouble(text.replace("_", ""));
    if (!Double.isFinite(seconds) || seconds < 0) {
      throw ApiError.field("wait", List.of(INVALID));
    }
    return (long) Math.ceil(Math.min(seconds * 1000, MAX_WAIT_MS));
  }

  /** The {@code wait} preference of one {@code Prefer} header, if it has a valid one. */
  static Optional<Long> preferredWait(String header) {
    for (String preference : header.split(",")) {
      String token = preference.split(";", 2)[0].trim();
      int eq = token.indexOf('=');
      if (eq < 0 || !token.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("wait")) {
        continue;
      }
      String value = token.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      return PREFER_WAIT.matcher(value).matches()
          ? Optional.of(Long.parseLong(value))
          : Optional.empty();
    }
    return Optional.empty();
  }

  /** The task's entity tag: changes with every change of the representation. */
  static String etag(Task task) {
    return "\""
        + task.id()
        + "-"
        + task.status().wire()
        + "-"
        + Long.toString(
            task.updatedAt().toEpochSecond() * 1_000_000L + task.updatedAt().getNano() / 1000, 36)
        + "\"";
  }

  /** {@code If-None-Match} as RFC 9110 compares it (weakly; {@code *} matches any task). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*")) {
        return true;
      }
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
