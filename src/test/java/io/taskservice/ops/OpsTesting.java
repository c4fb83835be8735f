package io.taskservice.ops;

import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Starting nodes, calling them and waiting for conditions, for the operations tests. */
public final class OpsTesting {
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private OpsTesting() {}

  /** A node on the test database (free port, one HTTP instance) with {@code overrides}. */
  public static Node startNode(Map<String, String> overrides) {
    return await(Node.start(TestDatabase.config(overrides)));
  }

  public static void stop(Node node) {
    if (node != null) {
      await(node.close());
    }
  }

  /** The test database's URL with {@code host:port} replaced, e.g. to go through a proxy. */
  public static String dbUrlVia(int port) {
    return TestDatabase.url().replaceFirst("@[^/@]+/", "@127.0.0.1:" + port + "/");
  }

  /** A port nothing listens on: PostgreSQL "down" from the start. */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("did not complete: " + e, e);
    }
  }

  /**
   * Polls {@code condition} every 50 ms (on a Vert.x timer) until it holds; fails after {@code
   * within}.
   */
  public static Duration eventually(Vertx vertx, Duration within, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + within);
      }
      await(vertx.timer(50, TimeUnit.MILLISECONDS));
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** A blocking HTTP client for one node. */
  public static final class Client {
    private final WebClient web;

    public Client(Vertx vertx, int port) {
      this(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    }

    public Client(Vertx vertx, WebClientOptions options) {
      this.web = WebClient.create(vertx, options.setConnectTimeout(10_000));
    }

    public HttpResponse<Buffer> get(String path, String... headers) {
      return send(HttpMethod.GET, path, null, headers);
    }

    public HttpResponse<Buffer> post(String path, JsonObject body, String... headers) {
      return send(HttpMethod.POST, path, body, headers);
    }

    /** {@code headers}: name, value, name, value... */
    public HttpResponse<Buffer> send(
        HttpMethod method, String path, Object body, String... headers) {
      HttpRequest<Buffer> request = web.request(method, path).timeout(20_000);
      MultiMap map = request.headers();
      for (int i = 0; i + 1 < headers.length; i += 2) {
        map.set(headers[i], headers[i + 1]);
      }
      if (body == null) {
        return await(request.send());
      }
      if (body instanceof JsonObject json) {
        return await(request.sendJsonObject(json));
      }
      return await(request.sendBuffer(Buffer.buffer(body.toString())));
    }

    /** Creates a task, expecting 201; returns its id. */
    public long create(String title, String... headers) {
      HttpResponse<Buffer> response =
          post("/api/v1/tasks/", new JsonObject().put("title", title), headers);
      if (response.statusCode() != 201) {
        throw new AssertionError(
            "create: " + response.statusCode() + " " + response.bodyAsString());
      }
      return response.bodyAsJsonObject().getLong("id");
    }

    /** The task's status, or null when the API does not answer 200. */
    public String status(long id, String... headers) {
      HttpResponse<Buffer> response = get("/api/v1/tasks/" + id + "/", headers);
      return response.statusCode() == 200 ? response.bodyAsJsonObject().getString("status") : null;
    }

    public int statusCode(String path, String... headers) {
      return get(path, headers).statusCode();
    }
  }

  /** The value of one series in a Prometheus text scrape, or NaN when it is absent. */
  public static double metric(String scrape, String series) {
    for (String line : scrape.lines().toList()) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return Double.NaN;
  }
}
