package io.taskservice.changefeed;

import io.taskservice.domain.TaskStatus;
import io.taskservice.drf.ApiError;
import io.taskservice.drf.Filters;
import io.taskservice.drf.JsonRenderer;
import io.taskservice.drf.PythonInt;
import io.taskservice.drf.QueryString;
import io.taskservice.http.PendingWork;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/events/}: every status change of every task as a Server-Sent Event, filtered
 * by {@code status} and {@code id}. A client that comes back with {@code Last-Event-ID} (or {@code
 * ?last_event_id=}), to this node or any other, first gets what it missed, read from the history,
 * then the live changes; the live ones that arrive meanwhile wait, so nothing falls in between. A
 * cursor that cannot be used gets {@code event: reset}: the client re-lists and follows on.
 */
final class EventStreamApi {
  static final int MAX_IDS = 100;

  /** A resume replays at most this many changes; a client further behind re-lists. */
  static final int MAX_REPLAY = 10_000;

  /**
   * What a stream may have waiting to be sent. A client that reads slower than changes come fills
   * it and is disconnected (it may reconnect and resume): memory per watcher stays bounded.
   */
  static final int MAX_QUEUED_BYTES = 256 * 1024;

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
    Filter filter = new Filter(Filters.status(query).orElse(null), ids(query));
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = query.last("last_event_id").orElse(null);
    }
    // a stream waits for changes, not for the database: it does not count as pending work
    PendingWork.detach(ctx);
    HttpServerResponse response = ctx.response();
    response
        .setChunked(true)
        .setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .setWriteQueueMaxSize(MAX_QUEUED_BYTES);
    EventStream stream = new EventStream(response, filter);
    stream.remove = watchers.add(stream);
    response.closeHandler(v -> stream.close());
    response.exceptionHandler(e -> stream.close());
    if (lastEventId == null || lastEventId.isBlank()) {
      // the position now, so that a client that reconnects before any change misses none
      EventCursor position = hub.position();
      stream.write(
          Buffer.buffer(position == null ? ": live\n\n" : "id: " + position.encode() + "\n\n"));
      return;
    }
    Optional<EventCursor> cursor = EventCursor.decode(lastEventId);
    if (cursor.isEmpty()) {
      stream.reset(hub.position(), "Last-Event-ID is not a cursor of this service.");
      return;
    }
    stream.replaying = new ArrayList<>();
    EventCursor from = cursor.get();
    history
        .since(from.lo(), from.hi(), from.seq(), MAX_REPLAY)
        .onSuccess(read -> stream.replay(from, read))
        // the client tries again later, with the same cursor
        .onFailure(e -> stream.end());
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

  /** The {@code status} and {@code id} filters; they combine with AND. */
  private record Filter(TaskStatus status, Set<Long> ids) {
    boolean all() {
      return status == null && ids == null;
    }

    boolean wants(TaskEvent event) {
      return (status == null || event.task().status() == status)
          && (ids == null || ids.contains(event.task().id()));
    }
  }

  /** One open stream. */
  private final class EventStream implements Watchers.Stream {
    private final HttpServerResponse response;
    private final Filter filter;
    private Runnable remove;
    private boolean closed;
    // live batches that arrive while the history is replayed
    private List<EventBatch> replaying;
    // the history seqs of the replay, and until which transaction the live feed may repeat them
    private Set<Long> replayed;
    private long replayedBelow;

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
        if (replaying.size() > MAX_REPLAY) {
          slow();
        }
        return;
      }
      if (replayed != null && batch.events().get(0).cursor().lo() >= replayedBelow) {
        replayed = null; // every later batch holds only changes the replay cannot have seen
      }
      if (filter.all() && replayed == null) {
        write(batch.frames());
        return;
      }
      Buffer frames = Buffer.buffer();
      for (TaskEvent event : batch.events()) {
        if (filter.wants(event) && (replayed == null || !replayed.contains(event.seq()))) {
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
        TaskEvent event = TaskEvent.of(e.seq(), e.task(), e.cursor(), JsonRenderer.task(e.task()));
        events.add(event);
        frames.appendBuffer(event.frame());
      }
      return new EventBatch(events, frames, batch.position());
    }

    @Override
    public void heartbeat() {
      write(HEARTBEAT);
    }

    void replay(EventCursor from, Optional<TaskHistory.Changes> read) {
      if (closed) {
        return;
      }
      TaskHistory.Snapshot snapshot = read.map(TaskHistory.Changes::snapshot).orElse(null);
      if (read.isEmpty()) {
        flushAfterReset("The cursor is too far behind: list the tasks again, then follow on.");
        return;
      }
      if (from.hi() > snapshot.xmax()) {
        flushAfterReset(
            "Last-Event-ID is not a cursor of this database: list the tasks again, then follow"
                + " on.");
        return;
      }
      if (from.lo() <= snapshot.pruned()) {
        flushAfterReset(
            "Changes after this cursor were deleted by retention: list the tasks again, then"
                + " follow on.");
        return;
      }
      Buffer frames = Buffer.buffer();
      replayed = new LinkedHashSet<>();
      replayedBelow = snapshot.xmax();
      for (TaskHistory.Change change : read.get().changes()) {
        replayed.add(change.seq());
        TaskEvent event =
            TaskEvent.of(
                change.seq(),
                change.task(),
                new EventCursor(from.lo(), snapshot.xmin(), change.seq()),
                JsonRenderer.task(change.task()));
        if (filter.wants(event)) {
          frames.appendBuffer(event.frame());
        }
      }
      write(frames);
      flushLive();
    }

    private void flushAfterReset(String why) {
      replayed = null;
      List<EventBatch> waiting = replaying;
      replaying = null;
      EventCursor position =
          waiting.isEmpty() ? hub.position() : waiting.get(0).events().get(0).cursor();
      reset(position, why);
      waiting.forEach(this::deliver);
    }

    private void flushLive() {
      List<EventBatch> waiting = replaying;
      replaying = null;
      waiting.forEach(this::deliver);
    }

    void reset(EventCursor position, String why) {
      String id = position == null ? "" : "id: " + position.encode() + "\n";
      write(
          Buffer.buffer(
              "event: reset\n"
                  + id
                  + "data: "
                  + JsonRenderer.render(new io.vertx.core.json.JsonObject().put("detail", why))
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
