package io.taskservice.changefeed;

import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.Filters;
import io.taskservice.drf.JsonRenderer;
import io.taskservice.drf.QueryString;
import io.taskservice.drf.python.PythonInt;
import io.taskservice.http.PendingWork;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events/}: every status change of every task as a Server-Sent Event, filtered
 * by {@code status} and {@code id}. A client that comes back with {@code Last-Event-ID} (or {@code
 * ?last_event_id=}), to this node or any other, first gets the changes after that cursor, read from
 * the change feed's log, then the live changes; the live ones that arrive meanwhile wait, and those
 * the replay already sent are left out, so nothing falls in between and nothing repeats. A cursor
 * that cannot be used gets {@code event: reset}: the client re-lists and follows on.
 */
final class EventStreamApi {
  private static final Logger log = LoggerFactory.getLogger(EventStreamApi.class);
  static final int MAX_IDS = 100;

  /** A resume replays at most this many changes; a client further behind re-lists. */
  static final int MAX_REPLAY = 10_000;

  /**
   * What a stream may have waiting to be sent. A client that reads slower than changes come fills
   * it and is disconnected (it may reconnect and resume): memory per watcher stays bounded.
   */
  static final int MAX_QUEUED_BYTES = 256 * 1024;

  // a replay is written in pieces, each once the previous one has drained below the bound
  private static final int REPLAY_CHUNK_BYTES = 64 * 1024;

  // a resume reads the whole rest of the log (bounded by rows, not positions)
  private static final long WHOLE_LOG = Long.MAX_VALUE / 4;

  private static final Buffer HEARTBEAT = Buffer.buffer(": keep-alive\n\n");

  private final TaskHistory history;
  private final EventHub hub;
  private final Watchers watchers;

  EventStreamApi(TaskHistory history, EventHub hub, Watchers watchers) {
    this.history = history;
    this.hub = hub;
    this.watchers = watchers;
  }

  void open(RoutingContext ctx) {
    QueryString query = QueryString.parse(ctx.request().query());
    Filter filter =
        new Filter(
            Filters.status(query).orElse(null), Filters.queue(query).orElse(null), ids(query));
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = query.last("last_event_id").orElse(null);
    }
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .setWriteQueueMaxSize(MAX_QUEUED_BYTES)
        // the client knows at once that its stream is open, also while a resume's replay is read
        .writeHead();
    EventStream stream = new EventStream(response, filter);
    stream.remove = watchers.add(stream);
    response.closeHandler(v -> stream.close());
    response.exceptionHandler(e -> stream.close());
    if (lastEventId == null || lastEventId.isBlank()) {
      // a stream waits for changes, not for the database: it does not count as pending work
      PendingWork.detach(ctx);
      // the position now, so that a client that reconnects before any change misses none
      EventCursor position = hub.position();
      stream.write(
          Buffer.buffer(position == null ? ": live\n\n" : "id: " + position.encode() + "\n\n"));
      return;
    }
    Optional<EventCursor> cursor = EventCursor.decode(lastEventId);
    if (cursor.isEmpty()) {
      PendingWork.detach(ctx);
      stream.reset(hub.position(), "Last-Event-ID is not a cursor of this service.");
      return;
    }
    stream.replaying = new ArrayList<>();
    EventCursor from = cursor.get();
    // the replay's read is work for the database: the resume counts as pending work until it ends
    history
        .read(from, WHOLE_LOG, MAX_REPLAY + 1)
        .onComplete(done -> PendingWork.detach(ctx))
        .onSuccess(read -> stream.replay(from, read))
        .onFailure(
            e -> {
              // the client tries again later, with the same cursor
              log.warn(
                  "Replaying the event stream from {} failed: {}", from.encode(), e.toString());
              stream.end();
            });
  }

  private static Set<Long> ids(QueryString query) {
    List<String> values = query.all("id");
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > MAX_IDS) {
      throw ApiError.field(
          "id", List.of("Ensure this field has no more than " + MAX_IDS + " elements."));
    }
    Set<Long> ids = new HashSet<>();
    for (String value : values) {
      Optional<Long> id = PythonInt.parseLong(value).filter(n -> n > 0);
      if (id.isEmpty()) {
        throw ApiError.field("id", List.of("Enter a whole number."));
      }
      ids.add(id.get());
    }
    return ids;
  }

  /** The {@code status}, {@code queue} and {@code id} filters; they combine with AND. */
  private record Filter(TaskStatus status, String queue, Set<Long> ids) {
    boolean all() {
      return status == null && queue == null && ids == null;
    }

    boolean wants(TaskEvent event) {
      return (status == null || event.task().status() == status)
          && (queue == null || queue.equals(event.task().queue()))
          && (ids == null || ids.contains(event.task().id()));
    }
  }

  /** One open stream. */
  private final class EventStream implements Watchers.Stream {
    private final HttpServerResponse response;
    private final Filter filter;
    private Runnable remove;
    private boolean closed;
    // live batches that arrive while the history is replayed, and how many changes they hold
    private List<EventBatch> replaying;
    private int replayingChanges;
    // what the replay sent: live changes up to it are left out
    private EventCursor replayedUpTo;

    EventStream(HttpServerResponse response, Filter filter) {
      this.response = response;
      this.filter = filter;
    }

    @Override
    public void deliver(EventBatch read) {
      if (closed) {
        return;
      }
      EventBatch batch = read.frames() == null ? framed(read) : read;
      if (replaying != null) {
        replaying.add(batch);
        replayingChanges += batch.events().size();
        if (replayingChanges > MAX_REPLAY) {
          slow();
        }
        return;
      }
      if (replayedUpTo != null && batch.events().get(0).cursor().isAfter(replayedUpTo)) {
        replayedUpTo = null; // every later batch holds only changes the replay did not send
      }
      if (filter.all() && replayedUpTo == null) {
        write(batch.frames());
        return;
      }
      Buffer frames = Buffer.buffer();
      for (TaskEvent event : batch.events()) {
        if (filter.wants(event) && (replayedUpTo == null || event.cursor().isAfter(replayedUpTo))) {
          frames.appendBuffer(event.frame());
        }
      }
      if (frames.length() > 0) {
        write(frames);
      }
    }

    /** The batch with its frames, for a stream that opened while it was read without them. */
    private EventBatch framed(EventBatch batch) {
      Buffer frames = Buffer.buffer();
      List<TaskEvent> events = new ArrayList<>(batch.events().size());
      for (TaskEvent e : batch.events()) {
        TaskEvent event = TaskEvent.of(e.task(), e.cursor(), JsonRenderer.task(e.task()));
        events.add(event);
        frames.appendBuffer(event.frame());
      }
      return new EventBatch(events, frames, batch.position());
    }

    @Override
    public void heartbeat() {
      write(HEARTBEAT);
    }

    void replay(EventCursor from, TaskHistory.Changes read) {
      if (closed) {
        return;
      }
      TaskHistory.State state = read.state();
      if (from.epoch() != state.epoch() || from.pos() > state.lastPos() + 1) {
        flushAfterReset(
            "Last-Event-ID is not a cursor of this database: list the tasks again, then follow"
                + " on.");
        return;
      }
      if (from.pos() <= state.below()) {
        flushAfterReset(
            "Changes after this cursor were deleted (by retention, or trimmed from the log): list"
                + " the tasks again, then follow on.");
        return;
      }
      if (read.more()) {
        flushAfterReset("The cursor is too far behind: list the tasks again, then follow on.");
        return;
      }
      Buffer frames = Buffer.buffer();
      for (TaskHistory.Change change : read.changes()) {
        TaskEvent event =
            TaskEvent.of(change.task(), change.cursor(), JsonRenderer.task(change.task()));
        if (filter.wants(event)) {
          frames.appendBuffer(event.frame());
        }
      }
      replayedUpTo = read.next();
      writeReplay(frames, 0);
    }

    /** The replay, a piece at a time as the client reads; then the live changes that waited. */
    private void writeReplay(Buffer frames, int from) {
      int at = from;
      while (!closed && at < frames.length()) {
        if (response.writeQueueFull()) {
          int resumeAt = at;
          response.drainHandler(v -> writeReplay(frames, resumeAt));
          return;
        }
        int end = Math.min(frames.length(), at + REPLAY_CHUNK_BYTES);
        response.write(frames.slice(at, end));
        at = end;
      }
      response.drainHandler(null);
      flushLive();
    }

    private void flushAfterReset(String why) {
      List<EventBatch> waiting = replaying;
      replaying = null;
      // the position just before the first change that follows the reset, so that a client that
      // reconnects at once misses none
      EventCursor position = hub.position();
      if (!waiting.isEmpty()) {
        EventCursor first = waiting.get(0).events().get(0).cursor();
        position = new EventCursor(first.epoch(), first.pos(), first.seq() - 1);
      }
      reset(position, why);
      waiting.forEach(this::deliver);
    }

    private void flushLive() {
      List<EventBatch> waiting = replaying;
      replaying = null;
      if (waiting != null) {
        waiting.forEach(this::deliver);
      }
    }

    void reset(EventCursor position, String why) {
      String id = position == null ? "" : "id: " + position.encode() + "\n";
      write(
          Buffer.buffer(
              "event: reset\n"
                  + id
                  + "data: "
                  + JsonRenderer.render(new JsonObject().put("detail", why))
                  + "\n\n"));
    }

    void write(Buffer data) {
      if (closed) {
        return;
      }
      if (response.writeQueueFull()) {
        slow();
        return;
      }
      response.write(data);
    }

    /** The client does not read fast enough: it is disconnected rather than buffered for. */
    private void slow() {
      hub.slowStreamsClosed().incrementAndGet();
      close();
      response.reset();
    }

    void end() {
      close();
      response.end();
    }

    void close() {
      if (!closed) {
        closed = true;
        replaying = null;
        remove.run();
      }
    }
  }
}
