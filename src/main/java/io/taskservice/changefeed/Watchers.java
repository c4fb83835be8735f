package io.taskservice.changefeed;

import io.taskservice.domain.Task;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event streams and long polls of one HTTP verticle, fed by the node's change feed: each batch
 * of changes is handed to every open stream and answers the long polls waiting for those tasks. An
 * idle stream or a waiting long poll costs no database query. Confined to the verticle's context.
 */
public final class Watchers {
  /** A comment line this often keeps proxies from closing an idle stream. */
  static final long HEARTBEAT_MS = 15_000;

  /** An open event stream. */
  interface Stream {
    void deliver(EventBatch batch);

    void heartbeat();
  }

  /** A long poll waiting for its task to become final. */
  public final class Waiter {
    private final long id;
    private final Promise<Task> finished = Promise.promise();

    private Waiter(long id) {
      this.id = id;
    }

    /** Completes with the task as its final change left it. */
    public Future<Task> finished() {
      return finished.future();
    }

    /** Stops waiting: the long poll was answered otherwise, or its client went away. */
    public void cancel() {
      List<Waiter> forTask = waiters.get(id);
      if (forTask != null && forTask.remove(this)) {
        hub.longPolls().decrementAndGet();
        if (forTask.isEmpty()) {
          waiters.remove(id);
        }
      }
    }
  }

  private final Set<Stream> streams = new LinkedHashSet<>();
  private final Map<Long, List<Waiter>> waiters = new HashMap<>();
  private final Runnable unlisten;
  private final EventHub hub;
  private final Vertx vertx;
  private final long heartbeat;

  /** Call on the verticle's context: batches are delivered there. */
  public Watchers(Vertx vertx, EventHub hub) {
    this.vertx = vertx;
    this.hub = hub;
    this.unlisten = hub.listen(vertx.getOrCreateContext(), this::deliver);
    this.heartbeat =
        vertx.setPeriodic(HEARTBEAT_MS, t -> List.copyOf(streams).forEach(Stream::heartbeat));
  }

  /** Delivers batches to {@code stream} until the returned action removes it. */
  Runnable add(Stream stream) {
    streams.add(stream);
    hub.streams().incrementAndGet();
    return () -> {
      if (streams.remove(stream)) {
        hub.streams().decrementAndGet();
      }
    };
  }

  /** A long poll for {@code id}, registered before the task is read so that no change slips by. */
  public Waiter waitFor(long id) {
    Waiter waiter = new Waiter(id);
    waiters.computeIfAbsent(id, k -> new ArrayList<>(1)).add(waiter);
    hub.longPolls().incrementAndGet();
    return waiter;
  }

  void close() {
    unlisten.run();
    vertx.cancelTimer(heartbeat);
    hub.streams().addAndGet(-streams.size());
    hub.longPolls().addAndGet(-waiters.values().stream().mapToInt(List::size).sum());
    streams.clear();
    waiters.clear();
  }

  private void deliver(EventBatch batch) {
    // a stream may close (and leave the set) while it is written to
    List.copyOf(streams).forEach(stream -> stream.deliver(batch));
    if (waiters.isEmpty()) {
      return;
    }
    for (TaskEvent event : batch.events()) {
      if (event.task().status().isFinal()) {
        List<Waiter> done = waiters.remove(event.task().id());
        if (done != null) {
          hub.longPolls().addAndGet(-done.size());
          done.forEach(w -> w.finished.tryComplete(event.task()));
        }
      }
    }
  }
}
