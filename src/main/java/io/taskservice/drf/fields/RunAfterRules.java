package io.taskservice.drf.fields;

import io.taskservice.drf.python.DjangoDateTime;
import java.time.OffsetDateTime;

/**
 * The {@code run_after} field: DRF's {@code DateTimeField(allow_null=True)} with the reference's
 * settings ({@code USE_TZ}, {@code TIME_ZONE = "UTC"}): a string read by Django's {@code
 * parse_datetime}, a time without an offset taken as UTC, every value moved to UTC. Anything but a
 * string (numbers included) has the wrong format.
 */
final class RunAfterRules {
  static final String WRONG_FORMAT =
      "Datetime has wrong format. Use one of these formats instead:"
          + " YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
  static final String OUT_OF_RANGE = "Datetime value out of range.";

  private RunAfterRules() {}

  /** Validates a run_after value that was sent and is not null. */
  static FieldResult<OffsetDateTime> validate(Object value) {
    if (!(value instanceof String s)) {
      return FieldResult.invalid(WRONG_FORMAT);
    }
    return DjangoDateTime.parse(s)
        .map(
            parts ->
                parts
                    .inUtc()
                    .map(FieldResult::valid)
                    .orElseGet(() -> FieldResult.invalid(OUT_OF_RANGE)))
        .orElseGet(() -> FieldResult.invalid(WRONG_FORMAT));
  }
}
