package io.taskservice.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.taskservice.changefeed.SseClient.Event;
import io.taskservice.ops.OpsTesting;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/v1/events/} against a running node: every change arrives, in order, filtered; a
 * resume from any event's id misses nothing; bad cursors get {@code event: reset}; bad filters a
 * 400; a client that does not read is disconnected; a thousand streams each get every change.
 */
class EventStreamTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(Map.of("TASKS_PROCESSING_DELAY_MS", "300", "TASKS_HTTP_INSTANCES", "2"));

  private static SseClient stream(String query) {
    return SseClient.open(service.node().vertx(), service.node().port(), "/api/v1/events/" + query);
  }

  /** Creates tasks titled by their parity ("ab" ends done, "abc" failed); returns their ids. */
  private static List<Long> create(String... titles) {
    List<Long> ids = new ArrayList<>();
    for (String title : titles) {
      ids.add(service.api().create(title).getLong("id"));
    }
    return ids;
  }

  private static Set<String> lifecycle(List<Long> ids, List<String> finals) {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      keys.add(ids.get(i) + ":new");
      keys.add(ids.get(i) + ":processing");
      keys.add(ids.get(i) + ":" + finals.get(i));
    }
    return keys;
  }

  @Test
  void everyChangeOfATaskArrivesInOrderWithTheTaskAsItThenStood() {
    try (SseClient sse = stream("")) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.headers().get("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.headers().get("Cache-Control")).isEqualTo("no-cache");
      assertThat(sse.headers().get("X-Accel-Buffering")).isEqualTo("no");
      long id = create("ab").get(0);
      List<Event> events = sse.awaitEvents("the task's three changes", WITHIN, e -> e.size() >= 3);
      assertThat(events).extracting(Event::type).containsOnly("task");
      assertThat(events)
          .extracting(Event::key)
          .containsExactly(id + ":new", id + ":processing", id + ":done");
      JsonObject done = events.get(2).task();
      assertThat(done).isEqualTo(service.api().get("/api/v1/tasks/" + id + "/").bodyAsJsonObject());
      assertThat(events.get(1).task().getString("updated_at"))
          .isNotEqualTo(done.getString("updated_at"));
      assertThat(events).extracting(Event::id).doesNotContainNull().doesNotHaveDuplicates();
    }
  }

  @Test
  void statusAndIdFiltersCombineWithAnd() {
    // ids restart at 1 with every test: the filter can name tasks before they exist
    try (SseClient all = stream("");
        SseClient filtered = stream("?status=done&id=1&id=2&id=4")) {
      create("ab", "abc", "cd");
      all.awaitEvents(
          "tasks 1-3 final",
          WITHIN,
          e ->
              e.stream()
                  .map(Event::key)
                  .toList()
                  .containsAll(List.of("1:done", "2:failed", "3:done")));
      // the last change the filter lets through: every change before it has been delivered
      create("ef");
      filtered.awaitEvents(
          "task 4 done", WITHIN, e -> e.stream().anyMatch(ev -> ev.key().equals("4:done")));
      assertThat(filtered.keys()).containsExactly("1:done", "4:done");
    }
  }

  @Test
  void aResumeFromAnyEventIdMissesNothingAfterIt() {
    List<Event> seen;
    String before;
    Set<String> all;
    try (SseClient sse = stream("")) {
      before =
          Await.until("the stream's start position", WITHIN, sse::lastEventId, id -> id != null);
      List<Long> ids = create("ab", "abc", "cd");
      all = lifecycle(ids, List.of("done", "failed", "done"));
      seen = sse.awaitEvents("all nine changes", WITHIN, e -> e.size() >= all.size());
    }
    assertThat(seen).extracting(Event::key).containsExactlyInAnyOrderElementsOf(all);
    List<String> cursors = new ArrayList<>();
    cursors.add(before);
    seen.forEach(e -> cursors.add(e.id()));
    for (int i = 0; i < cursors.size(); i++) {
      Set<String> expected = new HashSet<>(all);
      seen.subList(0, i).forEach(e -> expected.remove(e.key()));
      try (SseClient resumed =
          SseClient.open(
              service.node().vertx(),
              service.node().port(),
              "/api/v1/events/",
              Map.of("Last-Event-ID", cursors.get(i)))) {
        List<Event> replay =
            resumed.awaitEvents(
                "the changes after cursor " + i,
                WITHIN,
                e -> e.stream().map(Event::key).collect(Collectors.toSet()).containsAll(expected));
        assertThat(replay).extracting(Event::type).doesNotContain("reset");
      }
    }
    // the same from the query parameter, for clients that cannot set headers
    try (SseClient resumed = stream("?last_event_id=" + before)) {
      resumed.awaitEvents(
          "every change after the start",
          WITHIN,
          e -> e.stream().map(Event::key).collect(Collectors.toSet()).containsAll(all));
    }
  }

  /**
   * A transaction that holds an id open anywhere on the server (a writer left idle in transaction)
   * must not make a resume replay what the client already has.
   */
  @Test
  void aResumeWhileATransactionIsHeldOpenGetsOnlyTheChangesAfterItsCursor() throws Exception {
    try (Connection idle = TestDatabase.connect()) {
      idle.setAutoCommit(false);
      try (Statement s = idle.createStatement()) {
        s.execute("SELECT pg_current_xact_id()");
      }
      List<Event> first;
      try (SseClient sse = stream("?status=new")) {
        Await.until("the stream's start position", WITHIN, sse::lastEventId, id -> id != null);
        List<Long> ids =
            create(IntStream.range(0, 20).mapToObj(i -> "t" + i).toArray(String[]::new));
        first =
            sse.awaitEvents(
                "twenty new tasks",
                WITHIN,
                e -> e.stream().anyMatch(ev -> ev.key().equals(ids.get(19) + ":new")));
      }
      assertThat(first).hasSize(20);
      try (SseClient resumed = stream("?status=new&last_event_id=" + first.get(9).id())) {
        long marker = create("marker").get(0);
        List<Event> replay =
            resumed.awaitEvents(
                "the marker",
                WITHIN,
                e -> e.stream().anyMatch(ev -> ev.key().equals(marker + ":new")));
        assertThat(replay)
            .extracting(Event::key)
            .as("exactly the ten changes after the cursor, then the marker")
            .containsExactlyElementsOf(
                java.util.stream.Stream.concat(
                        first.subList(10, 20).stream().map(Event::key),
                        java.util.stream.Stream.of(marker + ":new"))
                    .toList());
      }
      idle.rollback();
    }
  }

  /**
   * A resume whose replay covers changes this node's feed has not delivered yet: they arrive live
   * as well, and only the replay's copy may reach the client. The node's feed is held back by a
   * lock on a table its read needs until the resumed stream has opened.
   */
  @Test
  void aResumeSendsEachChangeOnceAlsoWhenTheLiveFeedBringsItAgain() throws Exception {
    String before;
    try (SseClient sse = stream("?status=new")) {
      long warm = create("warm").get(0);
      before =
          sse.awaitEvents(
                  "the first task",
                  WITHIN,
                  e -> e.stream().anyMatch(ev -> ev.key().equals(warm + ":new")))
              .get(0)
              .id();
    }
    List<Long> ids;
    try (Connection holder = TestDatabase.connect()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE task_feed_pruned IN ACCESS EXCLUSIVE MODE");
      }
      Await.until(
          "the node's feed waits for the lock",
          WITHIN,
          () ->
              TestDatabase.count(
                  "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                      + " WHERE c.relname = 'task_feed_pruned' AND NOT l.granted"),
          n -> n > 0);
      long logged = TestDatabase.count("SELECT last_pos FROM task_feed_state");
      ids = create("ab", "cd");
      Await.until(
          "the changes are logged",
          WITHIN,
          () -> TestDatabase.count("SELECT last_pos FROM task_feed_state"),
          pos -> pos >= logged + 2);
      try (SseClient resumed =
          SseClient.open(
              service.node().vertx(),
              service.node().port(),
              "/api/v1/events/",
              Map.of("Last-Event-ID", before))) {
        Await.until("the resume is open", WITHIN, resumed::status, status -> status == 200);
        holder.rollback();
        long marker = create("marker").get(0);
        List<Event> events =
            resumed.awaitEvents(
                "the marker's last change",
                WITHIN,
                e -> e.stream().anyMatch(ev -> ev.key().equals(marker + ":done")));
        List<String> keys =
            events.stream().filter(e -> e.type().equals("task")).map(Event::key).toList();
        assertThat(keys).contains(ids.get(0) + ":new", ids.get(1) + ":new").doesNotHaveDuplicates();
      }
    }
  }

  /**
   * A feed that cannot reach the end of its log (here its reads wait for a lock) shows: the lag
   * metric grows and readiness goes down with the reason, and both recover once it reads again.
   */
  @Test
  void aStuckFeedShowsInItsLagAndInReadiness() throws Exception {
    try (Connection holder = TestDatabase.connect()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE task_feed_pruned IN ACCESS EXCLUSIVE MODE");
      }
      HttpResponse<Buffer> notReady =
          Await.until(
              "readiness down",
              Duration.ofMillis(ChangeFeedVerticle.STUCK_MS * 3),
              () -> service.api().get("/health/ready"),
              r -> r.statusCode() == 503);
      assertThat(notReady.bodyAsJsonObject().getString("reason")).contains("change feed");
      double lag =
          OpsTesting.metric(
              service.api().get("/metrics").bodyAsString(), "tasks_changefeed_lag_seconds");
      assertThat(lag).isGreaterThan(ChangeFeedVerticle.STUCK_MS / 1000.0);
      holder.rollback();
    }
    Await.until(
        "readiness back",
        WITHIN,
        () -> service.api().get("/health/ready").statusCode(),
        status -> status == 200);
    assertThat(
            OpsTesting.metric(
                service.api().get("/metrics").bodyAsString(), "tasks_changefeed_lag_seconds"))
        .isLessThan(1);
  }

  /** An idle stream gets a comment line every 15 s, so that proxies keep it open. */
  @Test
  void anIdleStreamIsKeptAliveByComments() {
    try (SseClient sse = stream("?id=999999")) {
      List<String> comments =
          Await.until(
              "a keep-alive comment",
              Duration.ofMillis(Watchers.HEARTBEAT_MS * 2),
              sse::comments,
              c -> c.contains("keep-alive"));
      assertThat(comments).contains("keep-alive");
      assertThat(sse.events()).isEmpty();
    }
  }

  @Test
  void aCursorThatCannotBeUsedGetsAResetAndTheStreamGoesOn() {
    // not a cursor; a cursor of the change feed's first design; of another epoch (epochs start
    // at 1: another server's); from beyond the end of the log
    for (String bad : List.of("garbage", "1:2", "5-4-1", "0:1:0", "1:999999999999:0", "-1:2:3")) {
      try (SseClient sse =
          SseClient.open(
              service.node().vertx(),
              service.node().port(),
              "/api/v1/events/",
              Map.of("Last-Event-ID", bad))) {
        assertThat(sse.status()).isEqualTo(200);
        Event reset = sse.awaitEvents("a reset for " + bad, WITHIN, e -> !e.isEmpty()).get(0);
        assertThat(reset.type()).isEqualTo("reset");
        assertThat(reset.id()).as("a reset brings a position to go on from").isNotBlank();
        assertThat(new JsonObject(reset.data()).getString("detail")).isNotBlank();
        long id = create("ab").get(0);
        sse.awaitEvents(
            "live changes after the reset",
            WITHIN,
            e ->
                e.stream()
                    .anyMatch(ev -> ev.type().equals("task") && ev.key().equals(id + ":done")));
      }
    }
  }

  @Test
  void aCursorFromBeforeHistoryThatRetentionDeletedGetsAReset() {
    String position;
    try (SseClient sse = stream("")) {
      position = Await.until("a position", WITHIN, sse::lastEventId, id -> id != null);
    }
    String pos = position.split(":")[1];
    // retention deleted history of that position
    TestDatabase.execute("INSERT INTO task_feed_pruned (pos) VALUES (" + pos + ")");
    try (SseClient resumed =
        SseClient.open(
            service.node().vertx(),
            service.node().port(),
            "/api/v1/events/",
            Map.of("Last-Event-ID", position))) {
      Event reset = resumed.awaitEvents("a reset", WITHIN, e -> !e.isEmpty()).get(0);
      assertThat(reset.type()).isEqualTo("reset");
      assertThat(new JsonObject(reset.data()).getString("detail")).contains("retention");
    } finally {
      TestDatabase.execute("DELETE FROM task_feed_pruned WHERE pos > 0");
    }
  }

  @Test
  void badFiltersAreA400InTheApisFormat() {
    HttpResponse<Buffer> status = service.api().get("/api/v1/events/?status=bogus");
    assertThat(status.statusCode()).isEqualTo(400);
    assertThat(status.bodyAsJsonObject().getJsonArray("status").getString(0))
        .isEqualTo("Select a valid choice. bogus is not one of the available choices.");
    HttpResponse<Buffer> id = service.api().get("/api/v1/events/?id=abc");
    assertThat(id.statusCode()).isEqualTo(400);
    assertThat(id.bodyAsJsonObject().containsKey("id")).isTrue();
    String many =
        IntStream.rangeClosed(1, 101).mapToObj(i -> "id=" + i).collect(Collectors.joining("&"));
    HttpResponse<Buffer> tooMany = service.api().get("/api/v1/events/?" + many);
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(tooMany.bodyAsJsonObject().getJsonArray("id").getString(0)).contains("100");
    String hundred =
        IntStream.rangeClosed(1, 100).mapToObj(i -> "id=" + i).collect(Collectors.joining("&"));
    try (SseClient sse = stream("?" + hundred)) {
      assertThat(sse.status()).isEqualTo(200);
    }
  }

  @Test
  void aClientThatDoesNotReadIsDisconnectedInsteadOfBufferedFor() throws Exception {
    double droppedBefore = dropped();
    String title = "x".repeat(254); // even: done
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("localhost", service.node().port()));
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/v1/events/ HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Await.until("the stream is open", WITHIN, EventStreamTest::openStreams, n -> n >= 1);
      // ~700 bytes per event, three events per task: far more than the socket buffers hold
      HttpClient client =
          service
              .node()
              .vertx()
              .createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(16));
      int created = 0;
      while (dropped() == droppedBefore && created < 40_000) {
        List<io.vertx.core.Future<?>> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          batch.add(
              client
                  .request(
                      io.vertx.core.http.HttpMethod.POST,
                      service.node().port(),
                      "localhost",
                      "/api/v1/tasks/")
                  .compose(
                      r ->
                          r.putHeader("Content-Type", "application/json")
                              .send(new JsonObject().put("title", title).encode())
                              .compose(resp -> resp.body())));
        }
        io.vertx.core.Future.all(batch).await(60, TimeUnit.SECONDS);
        created += 500;
      }
      client.close();
      assertThat(dropped()).as("the slow stream was closed").isGreaterThan(droppedBefore);
      assertThat(openStreams()).isZero();
      // what is still in flight is drained, then the connection ends
      InputStream in = socket.getInputStream();
      socket.setSoTimeout(30_000);
      byte[] buffer = new byte[64 * 1024];
      try {
        while (in.read(buffer) >= 0) {
          // drain
        }
      } catch (IOException reset) {
        // a reset connection is closed too
      }
    }
    assertThat(service.api().get("/api/v1/tasks/?page_size=1").statusCode())
        .as("the service.node() keeps serving")
        .isEqualTo(200);
  }

  @Test
  void aThousandStreamsEachReceiveEveryChange() {
    HttpClient client =
        service
            .node()
            .vertx()
            .createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(1100));
    List<SseClient> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        streams.add(SseClient.open(client, service.node().port(), "/api/v1/events/"));
      }
      List<Long> ids = create("ab", "abc", "cd", "efg", "hi", "jkl", "mn", "opq", "rs", "tuv");
      Set<String> all =
          lifecycle(
              ids,
              List.of(
                  "done", "failed", "done", "failed", "done", "failed", "done", "failed", "done",
                  "failed"));
      for (SseClient sse : streams) {
        sse.awaitEvents(
            "all thirty changes",
            WITHIN,
            e -> e.stream().map(Event::key).collect(Collectors.toSet()).containsAll(all));
        assertThat(sse.keys()).doesNotHaveDuplicates().hasSize(all.size());
      }
    } finally {
      client.close();
    }
  }

  private static double dropped() {
    return OpsTesting.metric(
        service.api().get("/metrics").bodyAsString(), "tasks_event_streams_dropped_total");
  }

  private static double openStreams() {
    return OpsTesting.metric(service.api().get("/metrics").bodyAsString(), "tasks_event_streams");
  }
}
