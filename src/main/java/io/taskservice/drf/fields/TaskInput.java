package io.taskservice.drf.fields;

import io.taskservice.domain.NewTask;
import io.taskservice.drf.python.PythonTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A create request's body as the reference's {@code TaskSerializer} validates it: {@code title},
 * {@code queue}, {@code priority} and {@code run_after}, each by DRF's rules and messages, the
 * errors of all fields together in the serializer's field order. Other keys are ignored. A {@link
 * FormData} body is read by DRF's rules for HTML input.
 */
public final class TaskInput {
  static final String NO_DATA = "No data provided";
  static final String REQUIRED = "This field is required.";
  static final String NON_FIELD_ERRORS = "non_field_errors";

  /** Marks a field that was not sent (DRF's {@code empty}). */
  private static final Object NOT_SENT = new Object();

  private TaskInput() {}

  /** A valid task, or DRF's 400 body. */
  public record Result(NewTask task, JsonObject errors) {
    public boolean isValid() {
      return errors == null;
    }
  }

  /** Validates a decoded request body: any JSON value, or a {@link FormData} form. */
  @SuppressWarnings("unchecked")
  public static Result validate(Object data) {
    if (data == null) {
      return new Result(null, nonFieldErrors(NO_DATA));
    }
    if (!(data instanceof Map<?, ?> map)) {
      return new Result(null, notADictionary(data));
    }
    return validate((Map<String, ?>) map);
  }

  public static Result validate(Map<String, ?> body) {
    boolean html = body instanceof FormData;
    JsonObject errors = new JsonObject();
    Object title = get(body, "title", html, true);
    FieldResult<String> t =
        title == NOT_SENT ? FieldResult.invalid(REQUIRED) : fromTitle(TitleRules.validate(title));
    collect(errors, "title", t);
    Object queue = get(body, "queue", html, false);
    FieldResult<String> q =
        queue == NOT_SENT ? FieldResult.valid(NewTask.DEFAULT_QUEUE) : QueueRules.validate(queue);
    collect(errors, "queue", q);
    Object priority = get(body, "priority", html, false);
    FieldResult<Integer> p =
        priority == NOT_SENT
            ? FieldResult.valid(0)
            : priority == null
                ? FieldResult.invalid(TitleRules.NULL)
                : PriorityRules.validate(priority);
    collect(errors, "priority", p);
    Object runAfter = get(body, "run_after", html, false);
    FieldResult<OffsetDateTime> r =
        runAfter == NOT_SENT || runAfter == null
            ? FieldResult.valid(null)
            : RunAfterRules.validate(runAfter);
    collect(errors, "run_after", r);
    if (!errors.isEmpty()) {
      return new Result(null, errors);
    }
    return new Result(new NewTask(t.value(), q.value(), p.value(), r.value()), null);
  }

  /**
   * DRF's {@code Field.get_value}: for HTML input an empty string of an optional field is "not
   * sent" (of a nullable one it is null, which for {@code run_after} comes to the same).
   */
  private static Object get(Map<String, ?> body, String name, boolean html, boolean required) {
    if (!body.containsKey(name)) {
      return NOT_SENT;
    }
    Object value = body.get(name);
    return html && !required && "".equals(value) ? NOT_SENT : value;
  }

  private static FieldResult<String> fromTitle(TitleRules.Result title) {
    return new FieldResult<>(title.title(), title.errors());
  }

  private static void collect(JsonObject errors, String field, FieldResult<?> result) {
    if (!result.isValid()) {
      errors.put(field, new JsonArray(List.copyOf(result.errors())));
    }
  }

  static JsonObject nonFieldErrors(String message) {
    return new JsonObject().put(NON_FIELD_ERRORS, new JsonArray().add(message));
  }

  static JsonObject notADictionary(Object data) {
    return nonFieldErrors(
        "Invalid data. Expected a dictionary, but got " + PythonTypes.name(data) + ".");
  }
}
