package io.taskservice.drf;

import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import java.util.List;
import java.util.Optional;

/**
 * The list's filters as django-filter reads them from the query string; the event stream shares
 * them.
 */
public final class Filters {
  private Filters() {}

  /** The list's filters: {@code status} and {@code queue}, combined with AND. */
  public static TaskFilter of(QueryString query) {
    return new TaskFilter(status(query), queue(query));
  }

  /**
   * django-filter's CharFilter, exact: empty means no filter; the value is not validated (a name no
   * queue has simply matches nothing).
   */
  public static Optional<String> queue(QueryString query) {
    return query.last("queue").filter(s -> !s.isEmpty());
  }

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
