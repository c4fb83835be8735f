package io.taskservice.drf.fields;

import io.taskservice.domain.PythonText;
import io.taskservice.drf.python.PythonInt;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The {@code priority} field: DRF's {@code IntegerField(min_value=0, max_value=9)} (the model's
 * {@code MaxValueValidator(9)} takes the place of the small-integer ceiling). The value is read as
 * DRF reads it: {@code int(re.sub(r"\.0*\s*$", "", str(value)))}, so {@code "7.0"}, {@code 7.0},
 * {@code " 7 "} and other Unicode digits are 7, while booleans, {@code 1.5} and {@code "1e1"} are
 * not integers.
 */
final class PriorityRules {
  static final int MIN = 0;
  static final int MAX = 9;
  static final String INVALID = "A valid integer is required.";
  static final String TOO_LONG = "String value too large.";
  static final String TOO_BIG = "Ensure this value is less than or equal to " + MAX + ".";
  static final String TOO_SMALL = "Ensure this value is greater than or equal to " + MIN + ".";
  private static final int MAX_STRING_LENGTH = 1000;

  private PriorityRules() {}

  /** Validates a priority value that was sent (null is refused by the caller). */
  static FieldResult<Integer> validate(Object value) {
    if (value instanceof String s && PythonText.length(s) > MAX_STRING_LENGTH) {
      return FieldResult.invalid(TOO_LONG);
    }
    Optional<BigInteger> number = text(value).flatMap(t -> PythonInt.parse(withoutZeroFraction(t)));
    if (number.isEmpty()) {
      return FieldResult.invalid(INVALID);
    }
    BigInteger n = number.get();
    if (n.compareTo(BigInteger.valueOf(MAX)) > 0) {
      return FieldResult.invalid(TOO_BIG);
    }
    if (n.signum() < 0) {
      return FieldResult.invalid(TOO_SMALL);
    }
    return FieldResult.valid(n.intValue());
  }

  /** {@code str(value)}, where it could read as an integer at all. */
  private static Optional<String> text(Object value) {
    if (value instanceof String s) {
      return Optional.of(s);
    }
    if (value instanceof Number n) {
      return Optional.of(PythonText.str(n));
    }
    return Optional.empty(); // str() of True, a list or a dict is never an int
  }

  /** {@code re.sub(r"\.0*\s*$", "", s)}: the first dot followed only by zeros and whitespace. */
  static String withoutZeroFraction(String s) {
    for (int dot = s.indexOf('.'); dot >= 0; dot = s.indexOf('.', dot + 1)) {
      int i = dot + 1;
      while (i < s.length() && s.charAt(i) == '0') {
        i++;
      }
      while (i < s.length() && PythonText.isSpace(s.charAt(i))) {
        i++;
      }
      if (i == s.length()) {
        return s.substring(0, dot);
      }
    }
    return s;
  }
}
