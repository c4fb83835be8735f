package io.taskservice.drf.fields;

import io.taskservice.domain.PythonText;
import io.taskservice.domain.QueueName;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code queue} field: the {@code CharField(max_length=64)} DRF builds from the model, with the
 * model's {@code RegexValidator} first. Like the title it trims, takes numbers as their text and
 * refuses blank and null; its validators all run, so a name can collect the pattern, length, NUL
 * and surrogate messages together.
 */
final class QueueRules {
  static final String INVALID_NAME = "Enter a valid queue name.";
  static final String TOO_LONG =
      "Ensure this field has no more than " + QueueName.MAX_LENGTH + " characters.";

  private QueueRules() {}

  /** Validates a queue value that was sent (it may be null). */
  static FieldResult<String> validate(Object value) {
    if (value instanceof String s && PythonText.strip(s).isEmpty()) {
      return FieldResult.invalid(TitleRules.BLANK);
    }
    if (value == null) {
      return FieldResult.invalid(TitleRules.NULL);
    }
    final String name;
    if (value instanceof String s) {
      name = PythonText.strip(s);
    } else if (value instanceof Number n) {
      name = PythonText.str(n);
    } else {
      return FieldResult.invalid(TitleRules.INVALID);
    }
    List<String> errors = new ArrayList<>(4);
    if (!QueueName.matchesPattern(name)) {
      errors.add(INVALID_NAME);
    }
    if (PythonText.length(name) > QueueName.MAX_LENGTH) {
      errors.add(TOO_LONG);
    }
    if (name.indexOf('\0') >= 0) {
      errors.add(TitleRules.NUL_CHARACTERS);
    }
    TitleRules.surrogate(name).ifPresent(errors::add);
    return errors.isEmpty()
        ? FieldResult.valid(name)
        : new FieldResult<>(null, List.copyOf(errors));
  }
}
