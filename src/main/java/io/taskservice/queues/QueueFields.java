package io.taskservice.queues;

import io.taskservice.domain.PythonText;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.python.PythonInt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The writable fields of a queue as DRF's {@code ModelSerializer} builds them from the reference
 * model, in a partial update: {@code paused} a {@code BooleanField} (not required: the model has a
 * default), {@code max_running} an {@code IntegerField(allow_null=True, min_value=1,
 * max_value=2147483647)} (a {@code PositiveIntegerField} with {@code MinValueValidator(1)}); other
 * fields ignored. Form bodies are read as DRF reads HTML input: an empty value skips {@code paused}
 * and clears {@code max_running}. Errors are reported per field, in the serializer's field order.
 */
final class QueueFields {
  static final String PAUSED = "paused";
  static final String MAX_RUNNING = "max_running";
  static final long MAX_VALUE = 2147483647L;
  static final int MAX_STRING_LENGTH = 1000;

  private static final Set<String> TRUE_TEXT = Set.of("t", "y", "yes", "true", "on", "1");
  private static final Set<String> FALSE_TEXT = Set.of("f", "n", "no", "false", "off", "0");
  // DRF's IntegerField.re_decimal: "1.0" is an integer, "1.5" is not
  private static final Pattern DECIMAL =
      Pattern.compile("\\.0*\\s*$", Pattern.UNICODE_CHARACTER_CLASS);

  private QueueFields() {}

  /**
   * Validates a request's data ({@code RequestBody.read}).
   *
   * @param html whether the data came from a form (DRF's {@code QueryDict})
   * @throws ApiError 400 with DRF's body
   */
  static Patch validate(Object data, boolean html) {
    if (data == null) {
      throw new ApiError(400, nonFieldErrors("No data provided"));
    }
    if (!(data instanceof Map<?, ?> fields)) {
      throw new ApiError(
          400,
          nonFieldErrors("Invalid data. Expected a dictionary, but got " + pythonType(data) + "."));
    }
    JsonObject errors = new JsonObject();
    Boolean paused = null;
    if (fields.containsKey(PAUSED) && !(html && "".equals(fields.get(PAUSED)))) {
      Object value = fields.get(PAUSED);
      if (value == null) {
        errors.put(PAUSED, new JsonArray().add("This field may not be null."));
      } else {
        paused = bool(value);
        if (paused == null) {
          errors.put(PAUSED, new JsonArray().add("Must be a valid boolean."));
        }
      }
    }
    boolean setsMaxRunning = fields.containsKey(MAX_RUNNING);
    Integer maxRunning = null;
    if (setsMaxRunning) {
      Object value = fields.get(MAX_RUNNING);
      if (value != null && !(html && "".equals(value))) {
        String error = null;
        if (value instanceof String s && PythonText.length(s) > MAX_STRING_LENGTH) {
          error = "String value too large.";
        } else {
          BigInteger number = integer(value);
          if (number == null) {
            error = "A valid integer is required.";
          } else if (number.compareTo(BigInteger.valueOf(MAX_VALUE)) > 0) {
            error = "Ensure this value is less than or equal to " + MAX_VALUE + ".";
          } else if (number.signum() <= 0) {
            error = "Ensure this value is greater than or equal to 1.";
          } else {
            maxRunning = number.intValue();
          }
        }
        if (error != null) {
          errors.put(MAX_RUNNING, new JsonArray().add(error));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiError(400, errors);
    }
    return new Patch(paused, setsMaxRunning, maxRunning);
  }

  /** {@code BooleanField.to_internal_value}: the value, or null when it is none of DRF's. */
  private static Boolean bool(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s) {
      String lower = s.toLowerCase(Locale.ROOT);
      return TRUE_TEXT.contains(lower) ? Boolean.TRUE : FALSE_TEXT.contains(lower) ? false : null;
    }
    // Python's 1 == 1.0 == True and 0 == 0.0 == -0.0 == False, whichever type the JSON had
    if (value instanceof BigInteger i) {
      return i.equals(BigInteger.ONE) ? Boolean.TRUE : i.signum() == 0 ? false : null;
    }
    if (value instanceof Double d) {
      return d == 1.0 ? Boolean.TRUE : d == 0.0 ? false : null;
    }
    return null;
  }

  /** {@code int(re_decimal.sub('', str(value)))}, or null where Python raises. */
  private static BigInteger integer(Object value) {
    String text;
    if (value instanceof String s) {
      text = s;
    } else if (value instanceof Number n) {
      text = PythonText.str(n);
    } else {
      // str() of a bool, list or dict is no integer
      return null;
    }
    return PythonInt.parse(DECIMAL.matcher(text).replaceFirst("")).orElse(null);
  }

  private static JsonObject nonFieldErrors(String message) {
    return new JsonObject().put("non_field_errors", new JsonArray().add(message));
  }

  /** The Python type name DRF puts in "Expected a dictionary, but got ...". */
  private static String pythonType(Object value) {
    if (value instanceof List) {
      return "list";
    }
    if (value instanceof String) {
      return "str";
    }
    if (value instanceof Boolean) {
      return "bool";
    }
    if (value instanceof Double) {
      return "float";
    }
    return value instanceof BigInteger ? "int" : value.getClass().getSimpleName();
  }
}
