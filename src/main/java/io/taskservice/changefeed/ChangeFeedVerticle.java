package io.taskservice.changefeed;

import io.taskservice.domain.Task;
import io.taskservice.housekeeping.Chore;
import io.taskservice.housekeeping.Rounds;
import io.taskservice.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one reader of the change feed, for every stream, long poll and the dashboard's
 * figures: every {@value #POLL_MS} ms it reads the log's positions after the last one it read, once
 * for all of them (one bounded index range that finds nothing when nothing changed). A reader that
 * is behind reads again at once, at most {@value #LIMIT} rows at a time. Nothing is read per
 * watcher.
 *
 * <p>Not LISTEN/NOTIFY: PostgreSQL makes the commits of notifying transactions wait for each other
 * (one lock per database), which halved the creates per second the service sustains.
 *
 * <p>When the database goes away, reads fail and are tried again every second from the same
 * position, so nothing is missed across the outage. Readiness reports the feed down once it has not
 * reached the end of the log for {@value #STUCK_MS} ms.
 */
public final class ChangeFeedVerticle extends VerticleBase {
  /** How often the log is read: the longest a logged change waits before its watchers hear it. */
  public static final long POLL_MS = 50;

  static final int LIMIT = 1000;
  static final long SPAN = 1000;
  // reads in a row while behind, before the loop yields to its pause
  private static final int CATCH_UP_READS = 20;
  static final long STUCK_MS = 10_000;
  private static final long RETRY_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(ChangeFeedVerticle.class);

  private final TaskHistory history;
  private final EventHub hub;
  private final Function<Task, Buffer> json;
  private final Readiness.Condition keepingUp;
  private EventCursor position;
  private Rounds rounds;

  /**
   * @param json the task's representation, as the API writes it
   * @param keepingUp the node's readiness condition for the feed
   */
  public ChangeFeedVerticle(
      TaskHistory history,
      EventHub hub,
      Function<Task, Buffer> json,
      Readiness.Condition keepingUp) {
    this.history = history;
    this.hub = hub;
    this.json = json;
    this.keepingUp = keepingUp;
  }

  @Override
  public Future<?> start() {
    rounds =
        new Rounds(
            vertx, log, new Chore("Reading the change feed", this::round, POLL_MS, RETRY_MS));
    rounds.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    rounds.stop();
    return Future.succeededFuture();
  }

  /** One round: the first fixes where the feed starts, later ones read until caught up. */
  private Future<?> round() {
    Future<?> read =
        position == null ? history.now().onSuccess(this::begin) : readUntilCaughtUp(CATCH_UP_READS);
    return read.onComplete(done -> checkKeepingUp());
  }

  private void begin(TaskHistory.State now) {
    position = now.end();
    hub.started(position);
    hub.caughtUp();
  }

  private Future<?> readUntilCaughtUp(int reads) {
    return history
        .read(position, SPAN, LIMIT)
        .compose(
            read -> {
              deliver(read);
              if (!read.more()) {
                hub.caughtUp();
                return Future.succeededFuture();
              }
              return reads > 1 ? readUntilCaughtUp(reads - 1) : Future.succeededFuture();
            });
  }

  private void checkKeepingUp() {
    long behindMs = hub.lagMillis();
    if (behindMs > STUCK_MS) {
      keepingUp.down("change feed has not reached the end of the log for " + behindMs + " ms");
    } else {
      keepingUp.up();
    }
  }

  private void deliver(TaskHistory.Changes read) {
    for (String skipped : read.skipped()) {
      hub.skipped().incrementAndGet();
      log.warn(
          "Change feed: the history row at {} is not a change this service writes (typed by"
              + " hand?); it is left out of the event stream",
          skipped);
    }
    position = read.next();
    // the frames only when some stream may want them; one that opens meanwhile frames for itself
    boolean framed = hub.streams().get() > 0;
    List<TaskEvent> events = new ArrayList<>(read.changes().size());
    Buffer frames = framed ? Buffer.buffer() : null;
    for (TaskHistory.Change change : read.changes()) {
      if (framed) {
        TaskEvent event = TaskEvent.of(change.task(), change.cursor(), json.apply(change.task()));
        events.add(event);
        frames.appendBuffer(event.frame());
      } else {
        events.add(new TaskEvent(change.task(), change.cursor(), null));
      }
    }
    hub.publish(new EventBatch(List.copyOf(events), frames, position));
  }
}
