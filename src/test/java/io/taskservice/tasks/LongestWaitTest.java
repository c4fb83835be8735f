package io.taskservice.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.taskservice.db.Database;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A long poll at the longest wait there is (60 s) on a connection silent all along: the node's idle
 * timeout must not close the connection before the answer, which comes after the wait and one more
 * read of the task. PostgreSQL is 20 ms away each way here (a proxy holds every chunk), as across a
 * network, so that read takes a while, as it does in production: with an idle timeout of 60 s the
 * connection is closed first. The suite's one minute-long test (about 62 s of CI time, hardly any
 * CPU).
 */
@ExtendWith(VertxExtension.class)
class LongestWaitTest {
  private TcpProxy proxy;
  private Node node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theLongestWaitIsAnsweredNotCutByTheIdleTimeout(Vertx vertx) throws Exception {
    TestDatabase.reset();
    PgConnectOptions db = Database.connectOptions(TestDatabase.config(Map.of()));
    proxy = new TcpProxy(vertx, db.getHost(), db.getPort());
    proxy.start().await(10, TimeUnit.SECONDS);
    proxy.latency(20);
    node =
        TestNodes.started(
            Map.of("TASKS_ROLE", "http", "TASKS_DB_URL", OpsTesting.dbUrlVia(proxy.port())));
    // held by another worker for an hour: it stays processing through the whole wait
    TestDatabase.execute(
        "INSERT INTO tasks (id, title, status, claim_token, claimed_by, lease_until)"
            + " VALUES (9000, 'held', 'processing', gen_random_uuid(), 'elsewhere',"
            + " now() + interval '1 hour')");

    long started = System.nanoTime();
    HttpResponse<Buffer> answer =
        WebClient.create(vertx)
            .get(node.port(), "127.0.0.1", "/api/v1/tasks/9000/?wait=60")
            .send()
            .await(100, TimeUnit.SECONDS);

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("processing");
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
  }
}
