package io.taskservice.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit: calls that arrive while {@code maxInFlight} batches are already running wait and
 * then run together as one batch (one statement, one transaction). At low load every call runs
 * alone and at once; under load, round trips and commits are shared. Confined to the event loop of
 * the verticle that owns it.
 *
 * @param <I> one call's input
 * @param <O> one call's output; the batch function returns one per input, in input order
 */
final class Batcher<I, O> {
  private record Pending<I, O>(I input, Promise<O> promise) {}

  private final Function<List<I>, Future<List<O>>> batch;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Pending<I, O>> waiting = new ArrayDeque<>();
  private int inFlight;

  Batcher(int maxBatch, int maxInFlight, Function<List<I>, Future<List<O>>> batch) {
    this.batch = batch;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  Future<O> submit(I input) {
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
                  if (ar.succeeded()) {
                    taken.get(i).promise().complete(ar.result().get(i));
                  } else {
                    taken.get(i).promise().fail(ar.cause());
                  }
                }
                drain();
              });
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
