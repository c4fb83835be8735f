package io.taskservice.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

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

  /**
   * {@code repr(float)}: the shortest digits that read back as the same double (the closer of two
   * candidates of that length), in scientific notation below 1e-4 and from 1e16, as CPython's
   * {@code float_repr_style = 'short'} writes them. Java's own {@code Double.toString} is not
   * always shortest before JDK 19 ({@code 2.0E23} comes out as {@code 2.0000000000000002E23}).
   */
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
    BigDecimal shortest = shortest(Math.abs(d));
    String digits = shortest.unscaledValue().toString();
    int exponent = digits.length() - 1 - shortest.scale(); // position of the first digit
    String sign = d < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String exp = String.format("%02d", Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }
    String plain = shortest.toPlainString();
    return sign + (plain.contains(".") ? plain : plain + ".0");
  }

  /**
   * The shortest decimal that {@link Double#parseDouble} reads back as {@code d} (positive,
   * finite): for each length, the two decimals of that length around the exact binary value are
   * tried, and the closer of those that read back wins (the even one on a tie), as David Gay's
   * {@code dtoa} in mode 0 chooses them.
   */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal down = exact.round(new MathContext(precision, RoundingMode.FLOOR));
      BigDecimal up = exact.round(new MathContext(precision, RoundingMode.CEILING));
      boolean downOk = Double.parseDouble(down.toString()) == d;
      boolean upOk = Double.parseDouble(up.toString()) == d;
      if (downOk && upOk) {
        int cmp = exact.subtract(down).compareTo(up.subtract(exact));
        if (cmp == 0) {
          return lastDigitEven(down) ? down.stripTrailingZeros() : up.stripTrailingZeros();
        }
        return (cmp < 0 ? down : up).stripTrailingZeros();
      }
      if (downOk || upOk) {
        return (downOk ? down : up).stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  private static boolean lastDigitEven(BigDecimal value) {
    return !value.unscaledValue().testBit(0);
  }
}
