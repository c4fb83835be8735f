package io.taskservice.domain;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Text rules of the reference service's runtime (Python 3): what {@code len}, {@code str.strip} and
 * {@code str(number)} do, so that titles are judged and stored exactly as there.
 */
public final class PythonText {
  private PythonText() {}

  /** {@code len(s)}: the number of code points. */
  public static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /** {@code str.isspace()} for one code point. */
  public static boolean isSpace(int c) {
    return (c >= 0x09 && c <= 0x0d)
        || (c >= 0x1c && c <= 0x20)
        || c == 0x85
        || c == 0xa0
        || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a)
        || c == 0x2028
        || c == 0x2029
        || c == 0x202f
        || c == 0x205f
        || c == 0x3000;
  }

  /** {@code s.strip()}. */
  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** {@code str(n)} for a number decoded from JSON (an int or a float in Python). */
  public static String str(Number n) {
    if (n instanceof Double || n instanceof Float) {
      return floatRepr(n.doubleValue());
    }
    if (n instanceof BigDecimal d) {
      return floatRepr(d.doubleValue());
    }
    if (n instanceof BigInteger i) {
      return i.toString();
    }
    return Long.toString(n.longValue());
  }

  /** {@code repr(float)}: shortest digits, scientific notation below 1e-4 and from 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int exponent = digits.length() - 1 - exact.scale(); // position of the first digit
    String sign = d < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String exp = String.format("%02d", Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }
    String plain = exact.toPlainString();
    return sign + (plain.contains(".") ? plain : plain + ".0");
  }
}
