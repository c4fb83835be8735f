package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.db.PoolTest;
import io.taskservice.domain.KeyInUseException;
import io.taskservice.domain.KeyReusedException;
import io.taskservice.domain.NewTask;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Creates with idempotency keys, as the repository groups them into one statement. */
class KeyedCreateTest extends PoolTest {
  private static IdempotencyKey key(String key) {
    return new IdempotencyKey("", key);
  }

  @Test
  void oneKeyTakenByAnotherTitleDoesNotFailTheRestOfItsBatch() throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000, Duration.ofHours(24));
    long first = PoolTest.onContext(() -> tasks.create(NewTask.of("taken"), key("k2"))).task().id();
    long replayed =
        PoolTest.onContext(() -> tasks.create(NewTask.of("same"), key("k4"))).task().id();

    // submitted in one go: the first runs at once, the other three wait for it and then share
    // one statement
    List<Future<TaskRepository.Created>> batch = new ArrayList<>();
    PoolTest.onContext(
        () -> {
          batch.add(tasks.create(NewTask.of("a"), key("k1")));
          batch.add(tasks.create(NewTask.of("another title"), key("k2")));
          batch.add(tasks.create(NewTask.of("c"), key("k3")));
          batch.add(tasks.create(NewTask.of("same"), key("k4")));
          return Future.join(new ArrayList<>(batch)).otherwiseEmpty();
        });

    assertThat(batch.get(0).succeeded()).isTrue();
    assertThat(batch.get(0).result().replayed()).isFalse();
    assertThat(batch.get(1).cause()).isInstanceOf(KeyReusedException.class);
    assertThat(batch.get(2).result().task().title()).isEqualTo("c");
    assertThat(batch.get(3).result().replayed()).isTrue();
    assertThat(batch.get(3).result().task().id()).isEqualTo(replayed);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isEqualTo(4);
    assertThat(TestDatabase.count("SELECT task_id FROM idempotency_keys WHERE key = 'k2'"))
        .isEqualTo(first);
  }

  @Test
  void aSecondCallWithAKeyInProgressIsRefusedAtOnce() throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000, Duration.ofHours(24));
    List<Future<TaskRepository.Created>> calls = new ArrayList<>();
    PoolTest.onContext(
        () -> {
          calls.add(tasks.create(NewTask.of("t"), key("k")));
          calls.add(tasks.create(NewTask.of("t"), key("k")));
          return Future.join(new ArrayList<>(calls)).otherwiseEmpty();
        });
    assertThat(calls.get(0).succeeded()).isTrue();
    assertThat(calls.get(1).cause()).isInstanceOf(KeyInUseException.class);
    assertThat(TestDatabase.count("SELECT count(*) FROM tasks")).isEqualTo(1);
  }

  @Test
  void theSameKeyInTwoScopesIsTwoKeys() throws Exception {
    TaskRepository tasks = new TaskRepository(pool, 5000, Duration.ofHours(24));
    long a =
        PoolTest.onContext(() -> tasks.create(NewTask.of("t"), new IdempotencyKey("aa", "k")))
            .task()
            .id();
    long b =
        PoolTest.onContext(() -> tasks.create(NewTask.of("t"), new IdempotencyKey("bb", "k")))
            .task()
            .id();
    assertThat(a).isNotEqualTo(b);
  }
}
