package io.taskservice.http;

import static io.taskservice.ops.OpsTesting.startNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TASKS_TLS_CERT / TASKS_TLS_KEY: the port speaks HTTPS only (test fixture in
 * src/test/resources/tls).
 */
@ExtendWith(VertxExtension.class)
public class TlsTest {
  private Node node;

  public static String fixture(String name) {
    try {
      return Path.of(TlsTest.class.getResource("/tls/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void start() {
    TestDatabase.reset();
    node =
        startNode(
            Map.of(
                "TASKS_TLS_CERT", fixture("cert.pem"),
                "TASKS_TLS_KEY", fixture("key.pem"),
                "TASKS_ROLE", "http"));
  }

  @AfterEach
  void stop() {
    OpsTesting.stop(node);
  }

  private Client https(Vertx vertx) {
    return new Client(
        vertx,
        new WebClientOptions()
            .setDefaultHost("localhost")
            .setDefaultPort(node.port())
            .setSsl(true)
            .setVerifyHost(true)
            .setTrustOptions(new PemTrustOptions().addCertPath(fixture("cert.pem"))));
  }

  @Test
  void theApiAndHealthAnswerOverHttpsWithHsts(Vertx vertx) {
    Client client = https(vertx);

    HttpResponse<Buffer> live = client.get("/health/live");
    HttpResponse<Buffer> list = client.get("/api/v1/tasks/");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000");
    // pagination links follow the scheme
    client.create("one");
    client.create("two");
    assertThat(client.get("/api/v1/tasks/?page_size=1").bodyAsJsonObject().getString("next"))
        .startsWith("https://localhost:");
  }

  @Test
  void plainHttpGetsNoAnswer(Vertx vertx) {
    Client plain = new Client(vertx, node.port());

    assertThatThrownBy(() -> plain.get("/health/live")).isInstanceOf(IllegalStateException.class);
  }
}
