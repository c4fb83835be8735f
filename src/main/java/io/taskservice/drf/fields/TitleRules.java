package io.taskservice.drf.fields;

import io.taskservice.domain.PythonText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validation of a task title, as a Django REST Framework {@code CharField(max_length=255)} of a
 * {@code ModelSerializer} does it: trims whitespace, rejects blank, null and non-string values
 * (numbers are accepted as their text), and collects the length, NUL and surrogate errors together.
 * The messages are DRF's own.
 */
public final class TitleRules {
  public static final int MAX_LENGTH = 255;

  static final String REQUIRED = "This field is required.";
  static final String NULL = "This field may not be null.";
  static final String BLANK = "This field may not be blank.";
  static final String INVALID = "Not a valid string.";
  static final String TOO_LONG =
      "Ensure this field has no more than " + MAX_LENGTH + " characters.";
  public static final String NUL_CHARACTERS = "Null characters are not allowed.";

  private TitleRules() {}

  /** A valid title, or the list of messages explaining why the input is not one. */
  public record Result(String title, List<String> errors) {
    public boolean isValid() {
      return errors.isEmpty();
    }

    static Result valid(String title) {
      return new Result(title, List.of());
    }

    static Result invalid(String... messages) {
      return new Result(null, List.of(messages));
    }
  }

  /**
   * Validates the {@code title} entry of a request body.
   *
   * @param body the decoded body; a missing key means the field was not sent
   */
  public static Result validate(Map<String, ?> body) {
    if (!body.containsKey("title")) {
      return Result.invalid(REQUIRED);
    }
    return validate(body.get("title"));
  }

  /** Validates a title value that was sent (it may be {@code null}). */
  public static Result validate(Object value) {
    if (value instanceof String s && PythonText.strip(s).isEmpty()) {
      return Result.invalid(BLANK);
    }
    if (value == null) {
      return Result.invalid(NULL);
    }
    final String text;
    if (value instanceof String s) {
      text = PythonText.strip(s);
    } else if (value instanceof Number n) {
      text = PythonText.str(n);
    } else {
      return Result.invalid(INVALID);
    }
    List<String> errors = new ArrayList<>(3);
    if (PythonText.length(text) > MAX_LENGTH) {
      errors.add(TOO_LONG);
    }
    if (text.indexOf('\0') >= 0) {
      errors.add(NUL_CHARACTERS);
    }
    surrogate(text).ifPresent(errors::add);
    return errors.isEmpty() ? Result.valid(text) : new Result(null, List.copyOf(errors));
  }

  static java.util.Optional<String> surrogate(String text) {
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        return java.util.Optional.of(
            String.format("Surrogate characters are not allowed: U+%X.", cp));
      }
      i += Character.charCount(cp);
    }
    return java.util.Optional.empty();
  }
}
