package io.taskservice.queues;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.taskservice.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With tokens on, the queue endpoints answer only requests that carry one. */
class QueuesAuthTest {
  private static final String TOKEN = "queues-test-token-0123456789";

  @RegisterExtension
  static final RunningNode service =
      RunningNode.with(Map.of("TASKS_ROLE", "http", "TASKS_API_TOKENS", TOKEN));

  private static HttpResponse<Buffer> send(HttpMethod method, String uri, String token) {
    Map<String, String> headers =
        token == null
            ? Map.of("Content-Type", "application/json")
            : Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token);
    return service.api().send(method, uri, headers, Buffer.buffer("{\"paused\": true}"));
  }

  @Test
  void everyQueueEndpointNeedsAToken() {
    TestDatabase.execute("DELETE FROM queues");
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.PATCH}) {
      for (String uri : new String[] {"/api/v1/queues/", "/api/v1/queues/reports/"}) {
        HttpResponse<Buffer> r = send(method, uri, null);
        assertThat(r.statusCode()).as(method + " " + uri).isEqualTo(401);
        assertThat(r.bodyAsJsonObject().getString("detail"))
            .isEqualTo("Authentication credentials were not provided.");
        assertThat(send(method, uri, "wrong").statusCode()).isEqualTo(401);
      }
    }
    assertThat(TestDatabase.count("SELECT count(*) FROM queues")).isZero();

    assertThat(send(HttpMethod.PATCH, "/api/v1/queues/reports/", TOKEN).statusCode())
        .isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/v1/queues/reports/", TOKEN).statusCode()).isEqualTo(200);
  }
}
