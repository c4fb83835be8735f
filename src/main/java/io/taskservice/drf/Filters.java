package io.taskservice.drf;

import io.taskservice.domain.TaskStatus;
import java.util.List;
import java.util.Optional;

/**
 * The list's filters as django-filter reads them from the query string; the event stream shares
 * them.
 */
public final class Filters {
  private Filters() {}

  /** django-filter's ChoiceFilter: empty means no filter, anything else must be a status. */
  public static Optional<TaskStatus> status(QueryString query) {
    Optional<String> value = query.last("status").filter(s -> !s.isEmpty());
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        TaskStatus.fromWire(value.get())
            .orElseThrow(
                () ->
                    ApiError.field(
                        "status",
                        List.of(
                            "Select a valid choice. "
                                + value.get()
                                + " is not one of the available choices."))));
  }
}
