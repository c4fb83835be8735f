package io.taskservice.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TASKS_TRUSTED_PROXIES: the API's absolute links (pagination) name the scheme and host that a
 * trusted proxy forwarded, and the host an untrusted peer forwarded is ignored. The tests connect
 * from 127.0.0.1: one node trusts that address, the other trusts other networks only.
 */
class TrustedProxiesTest {
  private static Vertx vertx;
  private static Node trusting;
  private static Node distrusting;

  @BeforeAll
  static void startNodes() throws Exception {
    vertx = Vertx.vertx();
    trusting =
        TestNodes.started(
            Map.of(
                "TASKS_ROLE", "http",
                "TASKS_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1/32",
                "TASKS_ALLOWED_HOSTS", "tasks.example.com,127.0.0.1"));
    distrusting =
        TestNodes.started(
            Map.of("TASKS_ROLE", "http", "TASKS_TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8"));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (Node node : new Node[] {trusting, distrusting}) {
      if (node != null) {
        node.close().await(30, TimeUnit.SECONDS);
      }
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void twoTasks() {
    TestDatabase.reset();
    Client client = new Client(vertx, trusting.port());
    client.create("first");
    client.create("second");
  }

  private static String next(Node node, String... headers) {
    HttpResponse<Buffer> page =
        new Client(vertx, node.port()).get("/api/v1/tasks/?page_size=1", headers);
    assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
    return page.bodyAsJsonObject().getString("next");
  }

  @Test
  void fromATrustedProxyTheLinksUseTheForwardedSchemeAndHost() {
    assertThat(
            next(trusting, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "tasks.example.com"))
        .startsWith("https://tasks.example.com/api/v1/tasks/?")
        .contains("page=2");
    // of a list, the value the trusted proxy added: the last one
    assertThat(
            next(
                trusting,
                "X-Forwarded-Proto",
                "http, https",
                "X-Forwarded-Host",
                "evil.example, tasks.example.com:8443"))
        .startsWith("https://tasks.example.com:8443/api/v1/tasks/?");
    // without the headers, DRF's behaviour: the connection's scheme and the Host header
    assertThat(next(trusting))
        .startsWith("http://127.0.0.1:" + trusting.port() + "/api/v1/tasks/?");
    // what is no scheme or no host is ignored
    assertThat(next(trusting, "X-Forwarded-Proto", "gopher", "X-Forwarded-Host", "a b/c"))
        .startsWith("http://127.0.0.1:" + trusting.port() + "/api/v1/tasks/?");
  }

  @Test
  void aForwardedHostIsCheckedAgainstTheAllowedHosts() {
    HttpResponse<Buffer> refused =
        new Client(vertx, trusting.port())
            .get("/api/v1/tasks/", "X-Forwarded-Host", "evil.example");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("detail", "Invalid HTTP_HOST header: 'evil.example'."));
  }

  @Test
  void fromAnyOtherPeerTheForwardedHeadersAreIgnored() {
    assertThat(
            next(
                distrusting, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "tasks.example.com"))
        .startsWith("http://127.0.0.1:" + distrusting.port() + "/api/v1/tasks/?");
  }
}
