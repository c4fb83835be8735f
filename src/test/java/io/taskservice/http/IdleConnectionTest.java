package io.taskservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TASKS_HTTP_IDLE_TIMEOUT: a connection on which nothing happens is closed by the server, so that
 * clients that vanish without closing do not hold connections for ever. A short timeout here; the
 * default (2 min) outlasts the longest long poll ({@code LongPollTest}).
 */
@ExtendWith(VertxExtension.class)
class IdleConnectionTest {
  private Node node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKeptAliveConnectionThatStaysSilentIsClosedAfterTheIdleTimeout(Vertx vertx)
      throws Exception {
    node = TestNodes.started(Map.of("TASKS_ROLE", "http", "TASKS_HTTP_IDLE_TIMEOUT", "1s"));
    NetSocket socket =
        vertx.createNetClient().connect(node.port(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    Promise<Long> answered = Promise.promise();
    Promise<Long> closed = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(
        data -> {
          received.appendBuffer(data);
          if (received.toString().contains("\r\n\r\n")) {
            answered.tryComplete(System.nanoTime());
          }
        });
    socket.closeHandler(v -> closed.complete(System.nanoTime()));
    socket.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");

    long answerAt = answered.future().await(10, TimeUnit.SECONDS);
    assertThat(received.toString())
        .startsWith("HTTP/1.1 200")
        .doesNotContainIgnoringCase("connection: close");
    // a keep-alive connection with nothing more to do: the server closes it by itself
    long closedAt = closed.future().await(20, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(closedAt - answerAt))
        .as("silent for the idle timeout before it was closed")
        .isGreaterThanOrEqualTo(Duration.ofMillis(800));
  }
}
