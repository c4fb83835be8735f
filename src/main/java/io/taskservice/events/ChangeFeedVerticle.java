package io.taskservice.events;

import io.taskservice.db.TaskHistory;
import io.taskservice.domain.Task;
import io.taskservice.ops.Failures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one follower of the task history, for every stream and long poll it serves: it LISTENs
 * on {@code task_history} (one notification per writing statement, from any node) and, per burst of
 * notifications, reads what committed since its previous read, once. Nothing is read per watcher,
 * and an idle node reads nothing.
 *
 * <p>When the database goes away, the reads fail and are tried again every second; the LISTEN
 * connection comes back on its own and reads once it is subscribed again. Either way the next read
 * starts from the last snapshot read, so nothing is missed across the outage.
 */
public final class ChangeFeedVerticle extends VerticleBase {
  static final String CHANNEL = "task_history";
  private static final long RETRY_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(ChangeFeedVerticle.class);

  private final PgConnectOptions connectOptions;
  private final TaskHistory history;
  private final EventHub hub;
  private final Function<Task, Buffer> json;
  private PgSubscriber subscriber;
  private TaskHistory.Snapshot snapshot;
  private boolean reading;
  private boolean again;
  private boolean failing;
  private long retry = -1;

  /**
   * @param json the task's representation, as the API writes it
   */
  public ChangeFeedVerticle(
      PgConnectOptions connectOptions,
      TaskHistory history,
      EventHub hub,
      Function<Task, Buffer> json) {
    this.connectOptions = connectOptions;
    this.history = history;
    this.hub = hub;
    this.json = json;
  }

  @Override
  public Future<?> start() {
    // a lost LISTEN connection is made again every second, for as long as it takes
    subscriber =
        PgSubscriber.subscriber(vertx, new PgConnectOptions(connectOptions))
            .reconnectPolicy(attempts -> RETRY_MS);
    subscriber.channel(CHANNEL).subscribeHandler(v -> read()).handler(payload -> read());
    subscriber.connect();
    // the first read fixes where the feed starts, even before the LISTEN connection is up
    read();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(retry);
    return subscriber.close();
  }

  /** One read at a time; notifications that arrive meanwhile make one more read after it. */
  private void read() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    Future<?> read =
        snapshot == null
            ? history.now().onSuccess(this::begin)
            : history.changesSince(snapshot).onSuccess(this::deliver);
    read.onComplete(
        done -> {
          reading = false;
          if (done.failed()) {
            if (!failing) {
              failing = true;
              log.warn(
                  "Task changes cannot be read ({}); trying again every {} ms",
                  Failures.rootMessage(done.cause()),
                  RETRY_MS);
            }
            if (retry < 0) {
              retry =
                  vertx.setTimer(
                      RETRY_MS,
                      t -> {
                        retry = -1;
                        read();
                      });
            }
            return;
          }
          if (failing) {
            failing = false;
            log.info("Task changes are read again");
          }
          if (again) {
            read();
          }
        });
  }

  private void begin(TaskHistory.Snapshot now) {
    snapshot = now;
    hub.started(EventCursor.at(now.xmin()));
  }

  private void deliver(TaskHistory.Changes read) {
    long lo = snapshot.xmin();
    long hi = read.snapshot().xmin();
    snapshot = read.snapshot();
    List<TaskEvent> events = new ArrayList<>(read.changes().size());
    Buffer frames = Buffer.buffer();
    for (TaskHistory.Change change : read.changes()) {
      TaskEvent event =
          TaskEvent.of(
              change.seq(),
              change.task(),
              new EventCursor(lo, hi, change.seq()),
              json.apply(change.task()));
      events.add(event);
      frames.appendBuffer(event.frame());
    }
    hub.publish(new EventBatch(List.copyOf(events), frames, EventCursor.at(hi)));
  }
}
