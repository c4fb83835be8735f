package io.taskservice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.taskservice.db.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /health/ready} is open to anyone: however many ask at once, the node stays ready and the
 * API keeps answering. The database is 2 ms away each way (a proxy holds every chunk), as it is
 * across a network: checks queued behind each other on one connection would run out of their time
 * limit long before hundreds of them were through.
 */
@ExtendWith(VertxExtension.class)
class ReadinessFloodTest {
  private static final int FLOOD = 500;
  private static final int WAVES = 4;
  private static final int API_CLIENTS = 8;

  private TcpProxy proxy;
  private Node node;

  @BeforeEach
  void startNodeBehindADistantDatabase(Vertx vertx) throws Exception {
    TestDatabase.reset();
    PgConnectOptions db = Database.connectOptions(TestDatabase.config(Map.of()));
    proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    proxy.start().await(10, TimeUnit.SECONDS);
    proxy.latency(2);
    node = TestNodes.started(Map.of("TASKS_DB_URL", OpsTesting.dbUrlVia(proxy.port())));
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
    proxy.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aFloodOfReadinessRequestsChangesNothingForTheApiOrReadiness(Vertx vertx) throws Exception {
    WebClient flood = client(vertx, FLOOD);
    WebClient api = client(vertx, API_CLIENTS);
    Map<Integer, AtomicInteger> apiStatuses = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> readyStatuses = new ConcurrentHashMap<>();
    AtomicBoolean flooding = new AtomicBoolean(true);
    List<Future<Void>> load = new ArrayList<>();
    for (int i = 0; i < API_CLIENTS; i++) {
      load.add(apiLoad(api, flooding, apiStatuses));
    }

    for (int wave = 0; wave < WAVES; wave++) {
      List<Future<HttpResponse<Buffer>>> asks = new ArrayList<>();
      for (int i = 0; i < FLOOD; i++) {
        asks.add(
            flood
                .get("/health/ready")
                .send()
                .onSuccess(r -> count(readyStatuses, r.statusCode()))
                .onFailure(e -> count(readyStatuses, -1)));
      }
      Future.join(asks).otherwiseEmpty().await(60, TimeUnit.SECONDS);
    }
    flooding.set(false);
    Future.join(load).otherwiseEmpty().await(60, TimeUnit.SECONDS);

    assertThat(readyStatuses).as("answers to /health/ready").containsOnlyKeys(200);
    assertThat(readyStatuses.get(200)).hasValue(FLOOD * WAVES);
    assertThat(apiStatuses).as("API answers during the flood").containsOnlyKeys(200, 201);
    assertThat(apiStatuses.get(201).get()).as("tasks created during the flood").isPositive();
  }

  /** Creates and lists tasks, one request after the other, while the flood goes on. */
  private static Future<Void> apiLoad(
      WebClient api, AtomicBoolean flooding, Map<Integer, AtomicInteger> statuses) {
    if (!flooding.get()) {
      return Future.succeededFuture();
    }
    return api.post("/api/v1/tasks/")
        .sendJsonObject(new JsonObject().put("title", "during the flood"))
        .compose(
            created -> {
              count(statuses, created.statusCode());
              return api.get("/api/v1/tasks/?page_size=5").send();
            })
        .compose(
            listed -> {
              count(statuses, listed.statusCode());
              return apiLoad(api, flooding, statuses);
            })
        .recover(
            e -> {
              count(statuses, -1);
              return Future.succeededFuture();
            });
  }

  private WebClient client(Vertx vertx, int connections) {
    return WebClient.wrap(
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1)));
  }

  private static void count(Map<Integer, AtomicInteger> statuses, int status) {
    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
  }
}
