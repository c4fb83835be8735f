package io.taskservice.drf;

import io.taskservice.drf.python.PythonCodecs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A query string read and rewritten the way Django and DRF do it: parsed like Python's {@code
 * parse_qsl(keep_blank_values=True)}, a repeated key answers its last value, and pagination links
 * are rebuilt like DRF's {@code replace_query_param} (keys sorted, values {@code quote_plus}-ed).
 */
public final class QueryString {
  private final List<Map.Entry<String, String>> pairs;

  private QueryString(List<Map.Entry<String, String>> pairs) {
    this.pairs = pairs;
  }

  public static QueryString parse(String raw) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    if (raw != null) {
      for (String field : utf8(raw).split("&")) {
        if (field.isEmpty()) {
          continue;
        }
        int eq = field.indexOf('=');
        String key = eq < 0 ? field : field.substring(0, eq);
        String value = eq < 0 ? "" : field.substring(eq + 1);
        pairs.add(Map.entry(unquotePlus(key), unquotePlus(value)));
      }
    }
    return new QueryString(pairs);
  }

  /**
   * A query string arrives as its bytes, one character each (the HTTP request line is ISO-8859-1).
   * A client that sent characters unescaped (curl does) sent them as UTF-8, and Django reads them
   * so (an invalid sequence becomes U+FFFD).
   */
  static String utf8(String raw) {
    boolean ascii = true;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c > 0xff) {
        return raw; // already characters, not bytes
      }
      ascii &= c <= 0x7f;
    }
    return ascii
        ? raw
        : new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /**
   * A form body as Django's {@code QueryDict(body, encoding)} reads it: the bytes decoded by the
   * charset (as Latin-1 when they are not valid in it), then split as {@code parse_qsl} splits
   * them, the escaped bytes decoded by the charset with U+FFFD for what it cannot decode.
   */
  static QueryString form(byte[] body, String charset) {
    String text;
    try {
      text = PythonCodecs.decode(body, charset);
    } catch (PythonCodecs.DecodeError e) {
      text = new String(body, StandardCharsets.ISO_8859_1);
    }
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    for (String field : text.split("&", -1)) {
      if (field.isEmpty()) {
        continue;
      }
      int eq = field.indexOf('=');
      String key = eq < 0 ? field : field.substring(0, eq);
      String value = eq < 0 ? "" : field.substring(eq + 1);
      pairs.add(
          Map.entry(
              unquote(key.replace('+', ' '), charset), unquote(value.replace('+', ' '), charset)));
    }
    return new QueryString(pairs);
  }

  /**
   * Python's {@code unquote(s, encoding, errors="replace")}: each run of ASCII characters has its
   * escapes decoded as bytes of the charset; other characters stay as they are.
   */
  private static String unquote(String s, String charset) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int end = i;
      boolean ascii = s.charAt(i) < 0x80;
      while (end < s.length() && (s.charAt(end) < 0x80) == ascii) {
        end++;
      }
      String run = s.substring(i, end);
      out.append(ascii ? PythonCodecs.decodeReplacing(unquoteToBytes(run), charset) : run);
      i = end;
    }
    return out.toString();
  }

  /** Python's {@code unquote_to_bytes} for ASCII text: bad escapes stay as they are. */
  private static byte[] unquoteToBytes(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        bytes.write(
            Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toByteArray();
  }

  /** Every key with its last value, as Django's {@code QueryDict[key]} answers. */
  Map<String, Object> lastValues() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, String> pair : pairs) {
      values.put(pair.getKey(), pair.getValue());
    }
    return values;
  }

  /** The last value of {@code key}, as Django's {@code QueryDict.get}. */
  public Optional<String> last(String key) {
    String found = null;
    for (Map.Entry<String, String> pair : pairs) {
      if (pair.getKey().equals(key)) {
        found = pair.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  /** Every value of {@code key}, in order. */
  public List<String> all(String key) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> pair : pairs) {
      if (pair.getKey().equals(key)) {
        values.add(pair.getValue());
      }
    }
    return values;
  }

  /** The first value of {@code key}, as Python's {@code parse_qs(query)[key][0]}. */
  Optional<String> first(String key) {
    for (Map.Entry<String, String> pair : pairs) {
      if (pair.getKey().equals(key)) {
        return Optional.of(pair.getValue());
      }
    }
    return Optional.empty();
  }

  /** This query with {@code key} set to the single {@code value}, encoded as DRF encodes it. */
  public String with(String key, String value) {
    Map<String, List<String>> grouped = grouped();
    grouped.put(key, List.of(value));
    return encode(grouped);
  }

  /** This query without {@code key}. */
  public String without(String key) {
    Map<String, List<String>> grouped = grouped();
    grouped.remove(key);
    return encode(grouped);
  }

  private Map<String, List<String>> grouped() {
    Map<String, List<String>> grouped = new LinkedHashMap<>();
    for (Map.Entry<String, String> pair : pairs) {
      grouped.computeIfAbsent(pair.getKey(), k -> new ArrayList<>()).add(pair.getValue());
    }
    return grouped;
  }

  private static String encode(Map<String, List<String>> grouped) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(grouped).entrySet()) {
      for (String value : e.getValue()) {
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(quotePlus(e.getKey())).append('=').append(quotePlus(value));
      }
    }
    return out.toString();
  }

  /** Python's {@code quote_plus}: UTF-8, letters, digits and {@code _.-~} kept, space as +. */
  static String quotePlus(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '.'
          || c == '-'
          || c == '~') {
        out.append((char) c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * Python's {@code unquote_plus}: + is a space, bad escapes stay as they are, bad UTF-8 → U+FFFD.
   */
  static String unquotePlus(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    return unquote(s, true, StandardCharsets.UTF_8);
  }

  /** Python's {@code unquote(s, encoding)}: bad escapes stay, undecodable bytes become U+FFFD. */
  static String unquote(String s, Charset charset) {
    return s.indexOf('%') < 0 ? s : unquote(s, false, charset);
  }

  private static String unquote(String s, boolean plus, Charset charset) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (plus && c == '+') {
        bytes.write(' ');
      } else if (c == '%'
          && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        bytes.write(
            Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
        bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    return new String(bytes.toByteArray(), charset);
  }
}
