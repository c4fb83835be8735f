package io.taskservice.drf;

import io.taskservice.domain.PythonText;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.fields.TitleRules;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * The list's filters as django-filter reads them from the query string; the event stream shares
 * them.
 */
public final class Filters {
  private Filters() {}

  /**
   * The list's filters: {@code status} and {@code queue}, combined with AND; the errors of both
   * together, in the filter set's field order, as one 400.
   */
  public static TaskFilter of(QueryString query) {
    JsonObject errors = new JsonObject();
    Optional<TaskStatus> status = Optional.empty();
    Optional<String> queue = Optional.empty();
    try {
      status = status(query);
    } catch (ApiError e) {
      errors.mergeIn((JsonObject) e.body());
    }
    try {
      queue = queue(query);
    } catch (ApiError e) {
      errors.mergeIn((JsonObject) e.body());
    }
    if (!errors.isEmpty()) {
      throw ApiError.invalid(errors);
    }
    return new TaskFilter(status, queue);
  }

  /**
   * django-filter's CharFilter, exact, through Django's form {@code CharField}: the value is
   * stripped as Python strips, empty means no filter, a null character is a 400; nothing else is
   * validated (a name no queue has simply matches nothing).
   */
  public static Optional<String> queue(QueryString query) {
    Optional<String> value = query.last("queue").map(PythonText::strip).filter(s -> !s.isEmpty());
    if (value.isPresent() && value.get().indexOf('\0') >= 0) {
      throw ApiError.field("queue", List.of(TitleRules.NUL_CHARACTERS));
    }
    return value;
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
