package io.taskservice.drf.python;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPython 3.11's {@code json.loads} as DRF's {@code JSONParser} calls it (with DRF's {@code
 * strict_constant}): the same accepted language, the same values and the same error texts.
 *
 * <p>Values come back as a {@link LinkedHashMap} for an object (insertion order; a repeated key
 * keeps its first position and its last value, as a Python dict does), an {@link ArrayList}, a
 * {@link String}, a {@link Boolean}, {@code null}, a {@link BigInteger} for every Python int and a
 * {@link Double} for every Python float. A float literal out of range is what Python makes of it:
 * {@code 1e400} is {@code Double.POSITIVE_INFINITY} and {@code 1e-400} is {@code 0.0}; DRF accepts
 * both (its {@code parse_constant} hook only sees the words {@code NaN} and {@code Infinity}). An
 * escaped surrogate without its pair stays a lone surrogate in the string, as in Python.
 */
public final class PythonJson {
  /**
   * The deepest nesting accepted. Python has no fixed limit: its scanner raises {@code
   * RecursionError} (not a {@code ValueError}, so DRF answers 500) when the recursion limit of 1000
   * runs out, and that budget is shared with the calls below the parser: on Python 3.11 those calls
   * and the nesting together may reach 998. Under the reference's {@code runserver} about 33 are
   * below it (29 Python frames from the server thread to {@code raw_decode}, plus one for each call
   * of a class or a callable instance on the way), which leaves 965; measured with a script's
   * stack, not end to end.
   */
  public static final int MAX_DEPTH = 965;

  /** {@code sys.get_int_max_str_digits()}: Python 3.11 refuses to convert longer int literals. */
  private static final int MAX_INT_DIGITS = 4300;

  private final int[] doc; // code points: Python indexes and counts a str by code point
  private int next; // the index after the last value scanned (the C scanner's next_idx_ptr)
  private int depth;

  private PythonJson(String text) {
    this.doc = text.codePoints().toArray();
  }

  /**
   * Parses a document as {@code json.loads(text, parse_constant=strict_constant)} does.
   *
   * @throws InvalidJson where Python raises a {@code ValueError} (DRF answers "JSON parse error - "
   *     and its message): a {@link JsonDecodeError}, an {@link OutOfRangeFloat} for {@code NaN} and
   *     {@code [-]Infinity}, or a plain {@link InvalidJson} for an int of more than 4300 digits
   * @throws NestingTooDeep where Python runs out of stack
   */
  public static Object parse(String text) {
    return new PythonJson(text).document();
  }

  private Object document() {
    if (doc.length > 0 && doc[0] == 0xFEFF) {
      throw error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    }
    Object value = scanOnce(skipWhitespace(0));
    int end = skipWhitespace(next);
    if (end != doc.length) {
      throw error("Extra data", end);
    }
    return value;
  }

  private Object scanOnce(int idx) {
    if (idx >= doc.length) {
      throw error("Expecting value", idx);
    }
    switch (doc[idx]) {
      case '"':
        return string(idx + 1);
      case '{':
        return object(idx + 1);
      case '[':
        return array(idx + 1);
      case 'n':
        if (word(idx, "null")) {
          return null;
        }
        break;
      case 't':
        if (word(idx, "true")) {
          return Boolean.TRUE;
        }
        break;
      case 'f':
        if (word(idx, "false")) {
          return Boolean.FALSE;
        }
        break;
      case 'N':
      case 'I':
      case '-':
        for (String constant : new String[] {"NaN", "Infinity", "-Infinity"}) {
          if (word(idx, constant)) {
            // DRF's parse_constant raises at once, before anything later in the document
            throw new OutOfRangeFloat(constant);
          }
        }
        break;
      default:
        break;
    }
    return number(idx);
  }

  private boolean word(int idx, String word) {
    if (idx + word.length() > doc.length) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (doc[idx + i] != word.charAt(i)) {
        return false;
      }
    }
    next = idx + word.length();
    return true;
  }

  /** The C scanner's {@code _match_number_unicode}, bounds checks included. */
  private Object number(int start) {
    int last = doc.length - 1;
    int idx = start;
    if (doc[idx] == '-') {
      idx++;
      if (idx > last) {
        throw error("Expecting value", start);
      }
    }
    if (doc[idx] >= '1' && doc[idx] <= '9') {
      idx++;
      while (idx <= last && isDigit(doc[idx])) {
        idx++;
      }
    } else if (doc[idx] == '0') {
      idx++;
    } else {
      throw error("Expecting value", start);
    }
    boolean isFloat = false;
    if (idx < last && doc[idx] == '.' && isDigit(doc[idx + 1])) {
      isFloat = true;
      idx += 2;
      while (idx <= last && isDigit(doc[idx])) {
        idx++;
      }
    }
    if (idx < last && (doc[idx] == 'e' || doc[idx] == 'E')) {
      int exponentStart = idx;
      idx++;
      if (idx < last && (doc[idx] == '-' || doc[idx] == '+')) {
        idx++;
      }
      while (idx <= last && isDigit(doc[idx])) {
        idx++;
      }
      if (isDigit(doc[idx - 1])) {
        isFloat = true;
      } else {
        idx = exponentStart; // "1e" or "1e+": the number ends before the e
      }
    }
    String literal = new String(doc, start, idx - start);
    next = idx;
    if (isFloat) {
      return Double.parseDouble(literal);
    }
    int digits = literal.length() - (doc[start] == '-' ? 1 : 0);
    if (digits > MAX_INT_DIGITS) {
      throw new InvalidJson(
          "Exceeds the limit ("
              + MAX_INT_DIGITS
              + " digits) for integer string conversion: value has "
              + digits
              + " digits; use sys.set_int_max_str_digits() to increase the limit");
    }
    return new BigInteger(literal);
  }

  /** The C scanner's {@code scanstring_unicode}; {@code end} is the index after the quote. */
  private String string(int end) {
    int begin = end - 1;
    int len = doc.length;
    StringBuilder out = new StringBuilder();
    while (true) {
      int idx = end;
      while (idx < len && doc[idx] != '"' && doc[idx] != '\\') {
        if (doc[idx] <= 0x1f) {
          throw error("Invalid control character at", idx);
        }
        idx++;
      }
      if (idx == len) {
        throw error("Unterminated string starting at", begin);
      }
      out.append(new String(doc, end, idx - end));
      if (doc[idx] == '"') {
        next = idx + 1;
        return out.toString();
      }
      idx++; // past the backslash
      if (idx == len) {
        throw error("Unterminated string starting at", begin);
      }
      if (doc[idx] != 'u') {
        end = idx + 1;
        out.append(simpleEscape(doc[idx], idx - 1));
        continue;
      }
      idx++;
      end = idx + 4;
      // at least one character must follow the four digits (Python reports the 'u')
      if (end >= len) {
        throw error("Invalid \\uXXXX escape", idx - 1);
      }
      int c = hex4(idx, end - 5);
      // a high surrogate takes the next escape as its pair, only if that is a low surrogate
      if (Character.isHighSurrogate((char) c)
          && end + 6 < len
          && doc[end] == '\\'
          && doc[end + 1] == 'u') {
        int low = hex4(end + 2, end + 1);
        if (Character.isLowSurrogate((char) low)) {
          c = Character.toCodePoint((char) c, (char) low);
          end += 6;
        }
      }
      out.appendCodePoint(c);
    }
  }

  private char simpleEscape(int c, int backslash) {
    switch (c) {
      case '"':
      case '\\':
      case '/':
        return (char) c;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        throw error("Invalid \\escape", backslash);
    }
  }

  /** Four hex digits at {@code idx}; an error names {@code reportAt}, the escape's 'u'. */
  private int hex4(int idx, int reportAt) {
    int value = 0;
    for (int i = idx; i < idx + 4; i++) {
      int digit = doc[i] < 128 ? Character.digit(doc[i], 16) : -1;
      if (digit < 0) {
        throw error("Invalid \\uXXXX escape", reportAt);
      }
      value = (value << 4) | digit;
    }
    return value;
  }

  /** The C scanner's {@code _parse_object_unicode}; {@code idx} is the index after the brace. */
  private Map<String, Object> object(int idx) {
    enter("object");
    Map<String, Object> object = new LinkedHashMap<>();
    int last = doc.length - 1;
    idx = skipWhitespace(idx);
    if (idx <= last && doc[idx] == '}') {
      next = idx + 1;
    } else {
      do {
        if (idx > last || doc[idx] != '"') {
          throw error("Expecting property name enclosed in double quotes", idx);
        }
        String key = string(idx + 1);
        idx = skipWhitespace(next);
        if (idx > last || doc[idx] != ':') {
          throw error("Expecting ':' delimiter", idx);
        }
        Object value = scanOnce(skipWhitespace(idx + 1));
        object.put(key, value);
        idx = afterItem('}');
      } while (idx >= 0);
    }
    depth--;
    return object;
  }

  /** The C scanner's {@code _parse_array_unicode}; {@code idx} is the index after the bracket. */
  private List<Object> array(int idx) {
    enter("array");
    List<Object> array = new ArrayList<>();
    int last = doc.length - 1;
    idx = skipWhitespace(idx);
    if (idx <= last && doc[idx] == ']') {
      next = idx + 1;
    } else {
      do {
        array.add(scanOnce(idx));
        idx = afterItem(']');
      } while (idx >= 0);
    }
    depth--;
    return array;
  }

  /**
   * After an item of an object or array (at {@code next}): the index of the next item, or -1 when
   * {@code close} ends the container ({@code next} is then past it).
   */
  private int afterItem(char close) {
    int last = doc.length - 1;
    int idx = skipWhitespace(next);
    if (idx <= last && doc[idx] == close) {
      next = idx + 1;
      return -1;
    }
    if (idx > last || doc[idx] != ',') {
      throw error("Expecting ',' delimiter", idx);
    }
    return skipWhitespace(idx + 1);
  }

  private void enter(String what) {
    if (++depth > MAX_DEPTH) {
      throw new NestingTooDeep(
          "maximum recursion depth exceeded while decoding a JSON "
              + what
              + " from a unicode string");
    }
  }

  /** JSON's whitespace only, not Python's {@code str.isspace()}. */
  private int skipWhitespace(int idx) {
    while (idx < doc.length
        && (doc[idx] == ' ' || doc[idx] == '\t' || doc[idx] == '\n' || doc[idx] == '\r')) {
      idx++;
    }
    return idx;
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private JsonDecodeError error(String msg, int pos) {
    int lineno = 1;
    int lastNewline = -1;
    for (int i = 0; i < pos; i++) {
      if (doc[i] == '\n') {
        lineno++;
        lastNewline = i;
      }
    }
    return new JsonDecodeError(msg, pos, lineno, pos - lastNewline);
  }

  /**
   * A document Python's json refuses with a {@code ValueError}: the message is {@code str()} of
   * Python's exception, what DRF writes after "JSON parse error - ".
   */
  public static class InvalidJson extends RuntimeException {
    InvalidJson(String message) {
      super(message, null, false, false);
    }
  }

  /** Python's {@code json.JSONDecodeError}, with its fields; positions count code points. */
  public static final class JsonDecodeError extends InvalidJson {
    private final String msg;
    private final int pos;
    private final int lineno;
    private final int colno;

    JsonDecodeError(String msg, int pos, int lineno, int colno) {
      super(String.format("%s: line %d column %d (char %d)", msg, lineno, colno, pos));
      this.msg = msg;
      this.pos = pos;
      this.lineno = lineno;
      this.colno = colno;
    }

    public String msg() {
      return msg;
    }

    public int pos() {
      return pos;
    }

    public int lineno() {
      return lineno;
    }

    public int colno() {
      return colno;
    }
  }

  /**
   * {@code NaN}, {@code Infinity} or {@code -Infinity}: Python's json reads them, DRF's {@code
   * strict_constant} refuses them with this message.
   */
  public static final class OutOfRangeFloat extends InvalidJson {
    private final String constant;

    OutOfRangeFloat(String constant) {
      super("Out of range float values are not JSON compliant: '" + constant + "'");
      this.constant = constant;
    }

    public String constant() {
      return constant;
    }
  }

  /**
   * Nesting beyond {@link #MAX_DEPTH}: Python's {@code RecursionError}, which is no {@code
   * ValueError}, so DRF lets it become a 500.
   */
  public static final class NestingTooDeep extends RuntimeException {
    NestingTooDeep(String message) {
      super(message, null, false, false);
    }
  }
}
