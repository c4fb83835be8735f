package io.taskservice.drf.fields;

import java.util.List;

/** One field's validated value, or DRF's messages for it in DRF's order. */
record FieldResult<T>(T value, List<String> errors) {
  boolean isValid() {
    return errors.isEmpty();
  }

  static <T> FieldResult<T> valid(T value) {
    return new FieldResult<>(value, List.of());
  }

  static <T> FieldResult<T> invalid(String... messages) {
    return new FieldResult<>(null, List.of(messages));
  }
}
