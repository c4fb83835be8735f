package io.taskservice.changefeed;

import io.taskservice.domain.Task;
import io.taskservice.housekeeping.Chore;
import io.taskservice.housekeeping.Rounds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one follower of the task history, for every stream, long poll and the dashboard's
 * figures: every {@value #POLL_MS} ms it reads what committed since its previous read, once for all
 * of them (one indexed query that finds nothing when nothing changed). Nothing is read per watcher.
 *
 * <p>Not LISTEN/NOTIFY: PostgreSQL makes the commits of notifying transactions wait for each other
 * (one lock per database), which halved the creates per second the service sustains.
 *
 * <p>When the database goes away, reads fail and are tried again every second; the next read starts
 * from the last snapshot read, so nothing is missed across the outage.
 */
public final class ChangeFeedVerticle extends VerticleBase {
  /** How often the history is read: the longest a change waits before its watchers hear of it. */
  public static final long POLL_MS = 50;

  private static final long RETRY_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(ChangeFeedVerticle.class);

  private final TaskHistory history;
  private final EventHub hub;
  private final Function<Task, Buffer> json;
  private TaskHistory.Snapshot snapshot;
  private Rounds rounds;

  /**
   * @param json the task's representation, as the API writes it
   */
  public ChangeFeedVerticle(TaskHistory history, EventHub hub, Function<Task, Buffer> json) {
    this.history = history;
    this.hub = hub;
    this.json = json;
  }

  @Override
  public Future<?> start() {
    rounds =
        new Rounds(
            vertx, log, new Chore("Reading the task changes", this::read, POLL_MS, RETRY_MS));
    rounds.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    rounds.stop();
    return Future.succeededFuture();
  }

  /** One read: the first fixes where the feed starts, each later one delivers what is new. */
  private Future<?> read() {
    return snapshot == null
        ? history.now().onSuccess(this::begin)
        : history.changesSince(snapshot).onSuccess(this::deliver);
  }

  private void begin(TaskHistory.Snapshot now) {
    snapshot = now;
    hub.started(EventCursor.at(now.xmin()));
  }

  private void deliver(TaskHistory.Changes read) {
    long lo = snapshot.xmin();
    long hi = read.snapshot().xmin();
    snapshot = read.snapshot();
    // the frames only when some stream may want them; one that opens meanwhile frames for itself
    boolean framed = hub.streams().get() > 0;
    List<TaskEvent> events = new ArrayList<>(read.changes().size());
    Buffer frames = framed ? Buffer.buffer() : null;
    for (TaskHistory.Change change : read.changes()) {
      EventCursor cursor = new EventCursor(lo, hi, change.seq());
      if (framed) {
        TaskEvent event =
            TaskEvent.of(change.seq(), change.task(), cursor, json.apply(change.task()));
        events.add(event);
        frames.appendBuffer(event.frame());
      } else {
        events.add(new TaskEvent(change.seq(), change.task(), cursor, null));
      }
    }
    hub.publish(new EventBatch(List.copyOf(events), frames, EventCursor.at(hi)));
  }
}
