package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.NewTask;
import io.taskservice.domain.Task;
import io.taskservice.domain.TaskFilter;
import io.taskservice.domain.TaskStatus;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskRepositoryTest extends PoolTest {
  /** The repository groups calls per context, so each call runs on one, as in a verticle. */
  private static <T> T onContext(java.util.function.Function<TaskRepository, Future<T>> call)
      throws Exception {
    TaskRepository repository = new TaskRepository(pool, 5000);
    return PoolTest.onContext(() -> call.apply(repository));
  }

  @Test
  void aCreatedTaskIsNewWithoutResult() throws Exception {
    Task task = onContext(r -> r.create(NewTask.of("Process report")));
    assertThat(task.id()).isPositive();
    assertThat(task.title()).isEqualTo("Process report");
    assertThat(task.status()).isEqualTo(TaskStatus.NEW);
    assertThat(task.result()).isNull();
    assertThat(task.updatedAt()).isEqualTo(task.createdAt());
    Optional<Task> found = onContext(r -> r.find(task.id()));
    assertThat(found).contains(task);
  }

  @Test
  void aMissingTaskIsEmpty() throws Exception {
    Optional<Task> found = onContext(r -> r.find(12345));
    assertThat(found).isEmpty();
  }

  @Test
  void concurrentCreatesAreGroupedButEachTitleKeepsItsOwnRow() throws Exception {
    int n = 300;
    List<Task> created =
        onContext(
            r -> {
              List<Future<Task>> all = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                all.add(r.create(NewTask.of("task " + i)));
              }
              return Future.all(all).map(cf -> cf.<Task>list());
            });
    assertThat(created).hasSize(n);
    assertThat(created.stream().map(Task::id).distinct()).hasSize(n);
    for (int i = 0; i < n; i++) {
      Task answered = created.get(i);
      assertThat(answered.title()).isEqualTo("task " + i);
      Optional<Task> stored = onContext(r -> r.find(answered.id()));
      assertThat(stored).contains(answered);
    }
  }

  @Test
  void concurrentReadsAreGroupedAndEachGetsItsOwnTask() throws Exception {
    for (int i = 1; i <= 50; i++) {
      String title = "t" + i;
      onContext(r -> r.create(NewTask.of(title)));
    }
    List<Optional<Task>> found =
        onContext(
            r -> {
              List<Future<Optional<Task>>> all = new ArrayList<>();
              for (long id = 51; id >= 1; id--) {
                all.add(r.find(id));
              }
              all.add(r.find(7));
              return Future.all(all).map(cf -> cf.<Optional<Task>>list());
            });
    assertThat(found.get(0)).isEmpty(); // id 51 does not exist
    for (int i = 1; i <= 50; i++) {
      assertThat(found.get(i).map(Task::title)).contains("t" + (51 - i));
    }
    assertThat(found.get(51).map(Task::title)).contains("t7");
  }

  @Test
  void pagesAreNewestFirstAndCountsFollowTheFilter() throws Exception {
    for (int i = 1; i <= 5; i++) {
      String title = "t" + i;
      onContext(r -> r.create(NewTask.of(title)));
    }
    TestDatabase.execute("UPDATE tasks SET status = 'done', result = 'success' WHERE id IN (2, 4)");
    List<Task> firstTwo = onContext(r -> r.page(TaskFilter.ALL, 0, 2));
    assertThat(firstTwo).extracting(Task::title).containsExactly("t5", "t4");
    List<Task> rest = onContext(r -> r.page(TaskFilter.ALL, 2, 10));
    assertThat(rest).extracting(Task::title).containsExactly("t3", "t2", "t1");
    long all = onContext(r -> r.count(TaskFilter.ALL));
    long done = onContext(r -> r.count(TaskFilter.status(TaskStatus.DONE)));
    long failed = onContext(r -> r.count(TaskFilter.status(TaskStatus.FAILED)));
    assertThat(all).isEqualTo(5);
    assertThat(done).isEqualTo(2);
    assertThat(failed).isZero();
    List<Task> donePage = onContext(r -> r.page(TaskFilter.status(TaskStatus.DONE), 0, 10));
    assertThat(donePage).extracting(Task::title).containsExactly("t4", "t2");
  }
}
