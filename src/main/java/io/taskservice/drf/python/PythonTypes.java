package io.taskservice.drf.python;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** {@code type(value).__name__} of a decoded request value, as DRF's messages name it. */
public final class PythonTypes {
  private PythonTypes() {}

  public static String name(Object value) {
    if (value == null) {
      return "NoneType";
    }
    if (value instanceof Boolean) {
      return "bool";
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      return "float";
    }
    if (value instanceof Number) {
      return "int";
    }
    if (value instanceof String) {
      return "str";
    }
    if (value instanceof List<?>) {
      return "list";
    }
    if (value instanceof Map<?, ?>) {
      return "dict";
    }
    return value.getClass().getSimpleName();
  }
}
