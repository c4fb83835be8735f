package io.taskservice.drf.python;

import io.taskservice.domain.PythonText;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Python's {@code int(str)}, which the reference service applies to ids, page numbers and page
 * sizes: surrounding whitespace, a sign, any Unicode decimal digits and single underscores between
 * digits are accepted; anything else is not a number.
 */
public final class PythonInt {
  private PythonInt() {}

  public static Optional<BigInteger> parse(String raw) {
    String s = PythonText.strip(raw);
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    StringBuilder digits = new StringBuilder(s.length());
    boolean lastWasDigit = false;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '_' && lastWasDigit) {
        lastWasDigit = false;
        continue;
      }
      if (Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
        return Optional.empty();
      }
      digits.append(Character.digit(cp, 10));
      lastWasDigit = true;
    }
    if (digits.length() == 0 || !lastWasDigit) {
      return Optional.empty();
    }
    BigInteger value = new BigInteger(digits.toString());
    return Optional.of(negative ? value.negate() : value);
  }

  /** The value if it is a number that fits a {@code long}. */
  public static Optional<Long> parseLong(String raw) {
    return parse(raw).filter(v -> v.bitLength() < 64).map(BigInteger::longValue);
  }
}
