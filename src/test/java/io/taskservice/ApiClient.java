package io.taskservice;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP client for tests: one call, one response. */
public final class ApiClient {
  private final WebClient client;
  private final int port;

  public ApiClient(Vertx vertx, int port) {
    this.client = WebClient.create(vertx);
    this.port = port;
  }

  public HttpResponse<Buffer> send(
      HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, port, "localhost", uri);
    headers.forEach(request::putHeader);
    try {
      return (body == null ? request.send() : request.sendBuffer(body)).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + uri + " failed", e);
    }
  }

  public HttpResponse<Buffer> get(String uri) {
    return send(HttpMethod.GET, uri, Map.of(), null);
  }

  public HttpResponse<Buffer> postJson(String uri, String json) {
    return send(
        HttpMethod.POST, uri, Map.of("Content-Type", "application/json"), Buffer.buffer(json));
  }

  /** Creates a task and returns its representation; fails unless the answer is 201. */
  public JsonObject create(String title) {
    HttpResponse<Buffer> response =
        postJson("/api/v1/tasks/", new JsonObject().put("title", title).encode());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "create answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }
}
