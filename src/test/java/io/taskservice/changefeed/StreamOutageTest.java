package io.taskservice.changefeed;

import static io.taskservice.ops.OpsTesting.await;
import static io.taskservice.ops.OpsTesting.dbUrlVia;
import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.changefeed.SseClient.Event;
import io.taskservice.db.Database;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An http node loses its database while its streams are open; another node goes on creating and
 * finishing tasks meanwhile. The streams stay open, and once the database is back they deliver
 * every change made during the outage.
 */
@ExtendWith(VertxExtension.class)
class StreamOutageTest {
  private static final Duration WITHIN = Duration.ofSeconds(40);
  private TcpProxy proxy;
  private Node cutOff;
  private Node other;

  @BeforeEach
  void start(Vertx vertx) {
    TestDatabase.reset();
    PgConnectOptions db = Database.connectOptions(TestDatabase.config(Map.of()));
    proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    await(proxy.start());
    cutOff =
        startNode(
            Map.of(
                "TASKS_DB_URL", dbUrlVia(proxy.port()),
                "TASKS_ROLE", "http",
                "TASKS_DB_TIMEOUT_MS", "2000"));
    await(cutOff.startup());
    other = startNode(Map.of("TASKS_PROCESSING_DELAY_MS", "200"));
    await(other.startup());
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(cutOff);
    OpsTesting.stop(other);
    await(proxy.close());
  }

  private static boolean finished(List<Event> events, long id) {
    return events.stream()
        .anyMatch(e -> e.task().getLong("id") == id && e.task().getString("result") != null);
  }

  @Test
  void streamsStayOpenThroughAnOutageAndThenDeliverWhatHappenedMeanwhile() {
    ApiClient api = new ApiClient(other.vertx(), other.port());
    try (SseClient sse = SseClient.open(cutOff.vertx(), cutOff.port(), "/api/v1/events/")) {
      long first = api.create("ab").getLong("id");
      sse.awaitEvents("the first task, before the outage", WITHIN, e -> finished(e, first));

      await(proxy.cut());
      long during = api.create("abc").getLong("id");
      long alsoDuring = api.create("abcd").getLong("id");
      Await.until(
          "both tasks final on the other node",
          WITHIN,
          () -> api.get("/api/v1/tasks/?status=").bodyAsJsonObject(),
          page ->
              page.getJsonArray("results").stream()
                  .allMatch(t -> ((io.vertx.core.json.JsonObject) t).getString("result") != null));
      assertThat(sse.ended()).as("the stream stays open while the database is away").isFalse();

      await(proxy.restore());
      List<Event> events =
          sse.awaitEvents(
              "the changes made during the outage",
              WITHIN,
              e -> finished(e, during) && finished(e, alsoDuring));
      assertThat(events.stream().map(Event::key).toList())
          .contains(
              during + ":new",
              during + ":processing",
              during + ":failed",
              alsoDuring + ":new",
              alsoDuring + ":processing",
              alsoDuring + ":done");
      assertThat(sse.ended()).isFalse();
    }
  }
}
