package io.taskservice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract documents what Vert.x 5.0.7 cannot take (the media types of the event stream and of
 * the browsable API's page, an optional bearer scheme); the router is built from a copy without
 * exactly those, and the copy Swagger UI reads calls the server it came from.
 */
@ExtendWith(VertxExtension.class)
class RouterContractTest {
  private static String repository;

  @BeforeAll
  static void read() throws IOException {
    try (InputStream in =
        RouterContractTest.class.getClassLoader().getResourceAsStream(HttpVerticle.CONTRACT)) {
      repository = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theContractDeclaresTheBearerSchemeAsOptional() {
    JsonObject contract = RouterContract.from(repository);
    JsonObject scheme =
        contract
            .getJsonObject("components")
            .getJsonObject("securitySchemes")
            .getJsonObject("bearerAuth");

    assertThat(scheme.getString("type")).isEqualTo("http");
    assertThat(scheme.getString("scheme")).isEqualTo("bearer");
    assertThat(repository).contains("security:\n  # ").contains("  - bearerAuth: []\n  - {}\n");
  }

  @Test
  void theRouterCopyLeavesOutOnlyWhat507CannotTake() {
    JsonObject contract = RouterContract.from(repository);

    assertThat(contract.getJsonArray("security"))
        .isEqualTo(new JsonArray().add(new JsonObject().put("bearerAuth", new JsonArray())));
    JsonObject stream =
        contract.getJsonObject("paths").getJsonObject("/api/v1/events/").getJsonObject("get");
    assertThat(stream.getString("operationId")).isEqualTo("streamEvents");
    JsonObject ok = stream.getJsonObject("responses").getJsonObject("200");
    assertThat(ok.getJsonObject("content")).isEmpty();
    assertThat(ok.getJsonObject("headers").fieldNames()).contains("Cache-Control");
    assertThat(repository).contains("text/event-stream:");
    // the browsable API's page is documented beside each JSON answer, and left out of the copy
    JsonObject list =
        contract
            .getJsonObject("paths")
            .getJsonObject("/api/v1/tasks/")
            .getJsonObject("get")
            .getJsonObject("responses")
            .getJsonObject("200")
            .getJsonObject("content");
    assertThat(list.fieldNames()).containsExactly("application/json");
    assertThat(repository).contains("text/html:");
    // everything else is as written: JSON bodies stay, timestamps stay strings
    JsonObject history =
        contract
            .getJsonObject("paths")
            .getJsonObject("/api/v1/tasks/{id}/history/")
            .getJsonObject("get")
            .getJsonObject("responses")
            .getJsonObject("200")
            .getJsonObject("content")
            .getJsonObject("application/json");
    assertThat(history.getJsonArray("example").getJsonObject(0).getValue("at"))
        .isEqualTo("2026-11-27T19:19:56.123456Z");
  }

  @Test
  void vertx507RefusesTheContractAsWritten(Vertx vertx) {
    // when this starts to pass, RouterContract can go
    Throwable refused =
        OpenAPIContract.from(vertx, HttpVerticle.CONTRACT)
            .map(c -> (Throwable) null)
            .otherwise(e -> e)
            .await();

    assertThat(refused).hasMessageContaining("unsupported media type");
  }

  @Test
  void theRouterBuildsWithSecurityOffAndABodyHandlerOnCreate(Vertx vertx) throws Exception {
    OpenAPIContract contract =
        OpenAPIContract.from(vertx, RouterContract.from(repository)).await(20, TimeUnit.SECONDS);
    RouterBuilder builder =
        RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.getRoutes().forEach(route -> route.setDoValidation(false).setDoSecurity(false));
    builder.getRoute("createTask").addHandler(BodyHandler.create(false)).addHandler(ctx -> {});
    builder.getRoute("retrieveTask").addHandler(ctx -> {});

    assertThat(builder.getRoute("streamEvents")).isNotNull();
    assertThat(builder.getRoute("retrieveTaskHistory")).isNotNull();
    assertThatNoException().isThrownBy(builder::createRouter);
  }

  @Test
  void theServedCopyNamesTheServerItCameFrom() {
    String served = SwaggerUi.served(io.vertx.core.buffer.Buffer.buffer(repository)).toString();
    JsonObject contract = RouterContract.from(served);

    assertThat(contract.getJsonArray("servers").getJsonObject(0).getString("url")).isEqualTo("/");
    assertThat(contract.getJsonArray("servers")).hasSize(1);
    JsonObject original = RouterContract.from(repository);
    contract.remove("servers");
    original.remove("servers");
    assertThat(contract).isEqualTo(original);
  }
}
