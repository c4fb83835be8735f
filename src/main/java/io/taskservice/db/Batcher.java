package io.taskservice.db;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: calls that arrive while {@code maxInFlight} batches are already running wait and
 * then run together as one batch (one statement, one transaction). At low load every call runs
 * alone and at once; under load, round trips and commits are shared. Confined to the event loop of
 * the verticle that owns it.
 *
 * @param <I> one call's input
 * @param <O> one call's output; the batch function returns one per input, in input order
 */
public final class Batcher<I, O> {
  private static final Logger log = LoggerFactory.getLogger(Batcher.class);

  private record Pending<I, O>(I input, Promise<O> promise) {}

  private final Function<List<I>, Future<List<O>>> batch;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Pending<I, O>> waiting = new ArrayDeque<>();
  private int inFlight;

  public Batcher(int maxBatch, int maxInFlight, Function<List<I>, Future<List<O>>> batch) {
    this.batch = batch;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  public Future<O> submit(I input) {
    // No bound of its own: callers bound what they submit (the API's TASKS_MAX_PENDING, the
    // worker's limit on tasks held). A bound here would refuse before the call is queued.
    Promise<O> promise = Promise.promise();
    waiting.add(new Pending<>(input, promise));
    drain();
    return promise.future();
  }

  private void drain() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending<I, O>> taken = new ArrayList<>(Math.min(waiting.size(), maxBatch));
      while (taken.size() < maxBatch && !waiting.isEmpty()) {
        taken.add(waiting.poll());
      }
      inFlight++;
      run(taken)
          .onComplete(
              ar -> {
                inFlight--;
                for (int i = 0; i < taken.size(); i++) {
                  answer(taken.get(i).promise(), ar, i);
                }
                drain();
              });
    }
  }

  /**
   * Completes one caller's promise. A listener on a promise without a context runs right here, and
   * Vert.x re-throws what it throws: caught, so that one caller's bug can neither leave the rest of
   * the batch unanswered nor stop the next batch from starting.
   */
  private static <O> void answer(Promise<O> promise, AsyncResult<List<O>> batch, int i) {
    try {
      if (batch.succeeded()) {
        promise.complete(batch.result().get(i));
      } else {
        promise.fail(batch.cause());
      }
    } catch (RuntimeException e) {
      log.error("A caller's handler failed on its batch answer", e);
      promise.tryFail(e);
    }
  }

  private Future<List<O>> run(List<Pending<I, O>> taken) {
    try {
      return batch.apply(taken.stream().map(Pending::input).toList());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
