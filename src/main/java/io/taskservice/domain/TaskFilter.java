package io.taskservice.domain;

import java.util.Optional;

/** Which tasks a list, a count or a stream is about: of one status, of one queue, or all. */
public record TaskFilter(Optional<TaskStatus> status, Optional<String> queue) {
  public static final TaskFilter ALL = new TaskFilter(Optional.empty(), Optional.empty());

  public static TaskFilter status(TaskStatus status) {
    return new TaskFilter(Optional.of(status), Optional.empty());
  }

  public boolean matches(Task task) {
    return status.map(s -> s == task.status()).orElse(true)
        && queue.map(q -> q.equals(task.queue())).orElse(true);
  }
}
