package io.taskservice.changefeed;

import io.taskservice.Await;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An event-stream reader for tests: opens {@code GET /api/v1/events/} and parses what arrives as
 * the WHATWG rules say (fields, blank line ends an event, comments ignored). Thread-safe.
 */
public final class SseClient implements AutoCloseable {
  /** One event as received. */
  public record Event(String id, String type, String data) {
    public JsonObject task() {
      return new JsonObject(data);
    }

    /** "17:done": what clients de-duplicate by. */
    public String key() {
      JsonObject task = task();
      return task.getLong("id") + ":" + task.getString("status");
    }
  }

  private final List<Event> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private final HttpClient client;
  private String lastId;
  private volatile boolean ended;
  private volatile HttpClientResponse response;
  private String id;
  private String type = "";
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  private final boolean ownsClient;

  private SseClient(HttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /** Opens a stream at {@code uri} (with its query) on {@code port}; waits for the 200 headers. */
  public static SseClient open(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return open(new SseClient(vertx.createHttpClient(), true), port, uri, headers);
  }

  /** A stream on a client shared with other streams (closing the stream closes its connection). */
  public static SseClient open(HttpClient client, int port, String uri) {
    return open(new SseClient(client, false), port, uri, Map.of());
  }

  private static SseClient open(SseClient sse, int port, String uri, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setPort(port)
            .setHost("localhost")
            .setURI(uri);
    try {
      sse.response =
          sse.client
              .request(options)
              .compose(
                  request -> {
                    headers.forEach(request::putHeader);
                    return request.send();
                  })
              .onSuccess(
                  r -> {
                    r.handler(sse::received);
                    r.endHandler(v -> sse.ended = true);
                    r.exceptionHandler(e -> sse.ended = true);
                  })
              .await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("GET " + uri + " failed", e);
    }
    return sse;
  }

  public static SseClient open(Vertx vertx, int port, String uri) {
    return open(vertx, port, uri, Map.of());
  }

  public int status() {
    return response.statusCode();
  }

  public MultiMap headers() {
    return response.headers();
  }

  public boolean ended() {
    return ended;
  }

  private synchronized void received(Buffer chunk) {
    pending.append(chunk.toString(StandardCharsets.UTF_8));
    int end;
    while ((end = pending.indexOf("\n")) >= 0) {
      String line = pending.substring(0, end);
      pending.delete(0, end + 1);
      line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }
  }

  private void line(String line) {
    if (line.isEmpty()) {
      if (id != null) {
        lastId = id;
      }
      if (hasData) {
        events.add(new Event(lastId, type.isEmpty() ? "message" : type, data.toString()));
      }
      id = null;
      type = "";
      data.setLength(0);
      hasData = false;
      return;
    }
    if (line.startsWith(":")) {
      comments.add(line.substring(1).trim());
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "id" -> id = value;
      case "event" -> type = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      default -> {}
    }
  }

  /** The comment lines received so far (keep-alives), without their colon. */
  public synchronized List<String> comments() {
    return List.copyOf(comments);
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The id of the last event block received (also of one without data), as a browser keeps it. */
  public synchronized String lastEventId() {
    return lastId;
  }

  /** The task events received so far, as "id:status" keys. */
  public List<String> keys() {
    return events().stream().filter(e -> e.type().equals("task")).map(Event::key).toList();
  }

  /** Waits until the events received so far satisfy {@code done}. */
  public List<Event> awaitEvents(String what, Duration within, Predicate<List<Event>> done) {
    return Await.until(what, within, this::events, done);
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    } else if (response != null) {
      response.request().connection().close();
    }
  }
}
