package io.taskservice.drf.fields;

import io.taskservice.domain.NewTask;
import io.taskservice.drf.python.PythonTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A bulk request's body as the reference validates it: {@code TaskSerializer(data=..., many=True,
 * allow_empty=False, max_length=1000)}. The list's own errors come as {@code {"non_field_errors":
 * [...]}}; otherwise every item is validated and, if any fails, the answer is one entry per item
 * ({@code {}} for a valid one). A form body is read as an HTML-form list.
 */
public final class TaskListInput {
  public static final int MAX_ITEMS = 1000;
  static final String EMPTY = "This list may not be empty.";
  static final String TOO_MANY = "Ensure this field has no more than " + MAX_ITEMS + " elements.";

  private TaskListInput() {}

  /**
   * Valid tasks in input order, or DRF's 400 body.
   *
   * @param errors a {@link JsonObject} for the list's own errors, a {@link JsonArray} for items'
   */
  public record ListResult(List<NewTask> tasks, Object errors) {
    public boolean isValid() {
      return errors == null;
    }
  }

  /** Validates a decoded request body: any JSON value, or a {@link FormData} form. */
  public static ListResult validateList(Object data) {
    if (data instanceof FormData form) {
      data = HtmlList.parse(form);
    }
    if (data == null) {
      return invalid(TaskInput.nonFieldErrors(TaskInput.NO_DATA));
    }
    if (!(data instanceof List<?> items)) {
      return invalid(
          TaskInput.nonFieldErrors(
              "Expected a list of items but got type \"" + PythonTypes.name(data) + "\"."));
    }
    if (items.isEmpty()) {
      return invalid(TaskInput.nonFieldErrors(EMPTY));
    }
    if (items.size() > MAX_ITEMS) {
      return invalid(TaskInput.nonFieldErrors(TOO_MANY));
    }
    List<NewTask> tasks = new ArrayList<>(items.size());
    JsonArray errors = new JsonArray();
    boolean failed = false;
    for (Object item : items) {
      if (item == null) {
        // the item serializer's own "null" error: a list, not an object
        errors.add(new JsonArray().add(TitleRules.NULL));
        failed = true;
        continue;
      }
      TaskInput.Result result = TaskInput.validate(item);
      if (result.isValid()) {
        tasks.add(result.task());
        errors.add(new JsonObject());
      } else {
        errors.add(result.errors());
        failed = true;
      }
    }
    return failed ? invalid(errors) : new ListResult(List.copyOf(tasks), null);
  }

  private static ListResult invalid(Object errors) {
    return new ListResult(null, errors);
  }
}
