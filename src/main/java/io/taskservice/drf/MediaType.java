package io.taskservice.drf;

import io.taskservice.domain.PythonText;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A media type of a {@code Content-Type} header or of one entry of an {@code Accept} header, read
 * as Django's {@code parse_header_parameters} reads it and matched as DRF's {@code _MediaType}
 * matches it: the type lower-cased, parameters by lower-cased name (the last one wins), a quoted
 * value unquoted; {@code main} and {@code sub} split at the first slash ({@code "text"} has an
 * empty subtype, which nothing but a wildcard matches).
 *
 * @param params the parameters in order, names lower-cased
 */
record MediaType(String main, String sub, Map<String, String> params) {

  static MediaType parse(String header) {
    String line = header == null ? "" : header;
    Map<String, String> params = new LinkedHashMap<>();
    int end = paramEnd(line, 0);
    String full = PythonText.strip(line.substring(0, end)).toLowerCase(Locale.ROOT);
    while (end < line.length()) {
      int start = end + 1;
      end = paramEnd(line, start);
      String part = PythonText.strip(line.substring(start, end));
      int eq = part.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = PythonText.strip(part.substring(0, eq)).toLowerCase(Locale.ROOT);
      boolean rfc2231 = false;
      if (name.endsWith("*")) {
        // RFC 2231: charset*=utf-8''latin-1 (Django decodes the value with the named charset)
        name = name.substring(0, name.length() - 1);
        rfc2231 = part.chars().filter(c -> c == '\'').count() == 2;
      }
      String value = PythonText.strip(part.substring(eq + 1));
      if (value.length() >= 2
          && value.charAt(0) == '"'
          && value.charAt(value.length() - 1) == '"') {
        value = value.substring(1, value.length() - 1).replace("\\\\", "\\").replace("\\\"", "\"");
      }
      if (rfc2231) {
        value = rfc2231(value);
      }
      params.put(name, value);
    }
    int slash = full.indexOf('/');
    return new MediaType(
        slash < 0 ? full : full.substring(0, slash),
        slash < 0 ? "" : full.substring(slash + 1),
        params);
  }

  /**
   * Where the part starting at {@code start} ends: at the next {@code ;} outside quotes, as
   * Django's {@code _parseparam} finds it (an escaped quote does not count).
   */
  private static int paramEnd(String line, int start) {
    int end = line.indexOf(';', start);
    while (end > start && quotesBefore(line, start, end) % 2 != 0) {
      end = line.indexOf(';', end + 1);
    }
    return end < 0 ? line.length() : end;
  }

  private static int quotesBefore(String line, int start, int end) {
    String s = line.substring(start, end);
    int quotes = 0;
    int escaped = 0;
    for (int i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) {
      quotes++;
    }
    for (int i = s.indexOf("\\\""); i >= 0; i = s.indexOf("\\\"", i + 1)) {
      escaped++;
    }
    return quotes - escaped;
  }

  /** {@code encoding'language'value}, the value percent-decoded as UTF-8 or Latin-1. */
  private static String rfc2231(String value) {
    String[] parts = value.split("'", -1);
    if (parts.length != 3) {
      return value;
    }
    String encoding = parts[0].toLowerCase(Locale.ROOT);
    if (encoding.equals("utf-8") || encoding.equals("utf8")) {
      return QueryString.unquote(parts[2], StandardCharsets.UTF_8);
    }
    if (encoding.equals("latin-1") || encoding.equals("iso-8859-1")) {
      return QueryString.unquote(parts[2], StandardCharsets.ISO_8859_1);
    }
    return parts[2];
  }

  /**
   * DRF's {@code _MediaType.match}: whether this (a parser's or renderer's type) fits {@code
   * other}.
   */
  boolean match(MediaType other) {
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (!p.getKey().equals("q") && !p.getValue().equals(other.params.get(p.getKey()))) {
        return false;
      }
    }
    if (!sub.equals("*") && !other.sub.equals("*") && !other.sub.equals(sub)) {
      return false;
    }
    return main.equals("*") || other.main.equals("*") || other.main.equals(main);
  }

  /**
   * DRF's {@code _MediaType.precedence}: 3 with parameters other than q, 2 without, 1 for a
   * wildcard subtype, 0 for the wildcard type.
   */
  int precedence() {
    if (main.equals("*")) {
      return 0;
    }
    if (sub.equals("*")) {
      return 1;
    }
    if (params.isEmpty() || (params.size() == 1 && params.containsKey("q"))) {
      return 2;
    }
    return 3;
  }
}
