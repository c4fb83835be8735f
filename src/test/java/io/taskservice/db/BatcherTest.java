package io.taskservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Group commit: who runs together, in which order, and what every caller is answered. */
class BatcherTest {
  /** A batch function whose batches the test answers by hand. */
  private static final class Batches {
    final List<List<String>> inputs = new ArrayList<>();
    final List<Promise<List<String>>> answers = new ArrayList<>();

    Future<List<String>> run(List<String> batch) {
      inputs.add(batch);
      Promise<List<String>> answer = Promise.promise();
      answers.add(answer);
      return answer.future();
    }

    void answer(int batch) {
      answers.get(batch).complete(inputs.get(batch).stream().map(s -> s + "!").toList());
    }
  }

  @Test
  void callsArrivingWhileTheBatchesInFlightRunGoTogetherInArrivalOrder() {
    Batches batches = new Batches();
    Batcher<String, String> batcher = new Batcher<>(3, 1, batches::run);
    Future<String> a = batcher.submit("a");
    Future<String> b = batcher.submit("b");
    Future<String> c = batcher.submit("c");
    Future<String> d = batcher.submit("d");
    Future<String> e = batcher.submit("e");
    assertThat(batches.inputs).containsExactly(List.of("a"));
    batches.answer(0);
    assertThat(a.result()).isEqualTo("a!");
    // at most maxBatch at once
    assertThat(batches.inputs).containsExactly(List.of("a"), List.of("b", "c", "d"));
    batches.answer(1);
    assertThat(List.of(b.result(), c.result(), d.result())).containsExactly("b!", "c!", "d!");
    assertThat(batches.inputs.get(2)).containsExactly("e");
    batches.answers.get(2).fail(new IllegalStateException("database gone"));
    assertThat(e.cause()).hasMessage("database gone");
  }

  @Test
  void aCallerWhoseHandlerThrowsStrandsNeitherTheRestOfItsBatchNorTheNextBatch() {
    Batches batches = new Batches();
    Batcher<String, String> batcher = new Batcher<>(10, 1, batches::run);
    batcher.submit("first");
    Future<String> careless = batcher.submit("careless");
    Future<String> other = batcher.submit("other");
    careless.onComplete(
        ar -> {
          throw new IllegalStateException("a bug in a caller");
        });
    batches.answer(0);
    assertThat(batches.inputs.get(1)).containsExactly("careless", "other");
    Future<String> waiting = batcher.submit("waiting");

    batches.answer(1);

    assertThat(other.result()).isEqualTo("other!");
    assertThat(careless.succeeded()).isTrue();
    // the call that waited for the batch in flight goes next
    assertThat(batches.inputs).hasSize(3);
    assertThat(batches.inputs.get(2)).containsExactly("waiting");
    batches.answer(2);
    assertThat(waiting.result()).isEqualTo("waiting!");
  }
}
