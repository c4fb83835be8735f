package io.taskservice.tasks;

import io.taskservice.domain.TaskFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The list's statements, one per kind of page and filter. The filter's values come first ({@code
 * status}, then {@code queue}, each only when filtered), then the kind's own parameters.
 *
 * <p>With a filter, ids first, as an index-only scan (of {@code (status, id)} or {@code (queue,
 * id)}), then only those rows, each by its primary key. As "id = ANY(ARRAY(...))", not "id IN
 * (...)": a semi-join may merge the ids with a scan of the whole primary key from the newest task
 * down to the page, which for a rare status or a deep cursor reads most of the table. Keyset pages
 * of the cursor pagination are an index range from the cursor's position, so the millionth page
 * costs what the first does (the offset, at most 1000, only comes from hand-made cursors).
 */
enum TaskListSql {
  /** A page by number: limit, offset. */
  PAGE("", "DESC", 0),
  /** Tasks with ids up to a bound, newest first: bound, limit, offset. */
  BELOW("id <= ", "DESC", 1),
  /** Tasks with ids from a bound, oldest first: bound, limit, offset. */
  ABOVE("id >= ", "", 1);

  private final String bound;
  private final String order;
  private final int boundParams;
  private final Map<String, String> statements = new ConcurrentHashMap<>();

  TaskListSql(String bound, String order, int boundParams) {
    this.bound = bound;
    this.order = order;
    this.boundParams = boundParams;
  }

  String sql(TaskFilter filter, String columns) {
    String shape = filter.status().isPresent() + "/" + filter.queue().isPresent();
    return statements.computeIfAbsent(shape, s -> build(filter, columns));
  }

  private String build(TaskFilter filter, String columns) {
    List<String> conditions = new ArrayList<>();
    int param = 1;
    if (filter.status().isPresent()) {
      conditions.add("status = $" + param++);
    }
    if (filter.queue().isPresent()) {
      conditions.add("queue = $" + param++);
    }
    if (boundParams > 0) {
      conditions.add(bound + "$" + param++);
    }
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    String orderBy = " ORDER BY id" + (order.isEmpty() ? "" : " " + order);
    String page = " LIMIT $" + param++ + " OFFSET $" + param;
    if (filter.status().isEmpty() && filter.queue().isEmpty() && this != PAGE) {
      return "SELECT " + columns + " FROM tasks" + where + orderBy + page;
    }
    return "SELECT "
        + columns
        + " FROM tasks WHERE id = ANY(ARRAY(SELECT id FROM tasks"
        + where
        + orderBy
        + page
        + "))"
        + orderBy;
  }
}
