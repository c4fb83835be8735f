package io.taskservice.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Swagger UI at {@code /swagger/}, served from the swagger-ui webjar (no CDN), showing the contract
 * the router is built from ({@code /openapi.yaml}). The page loads nothing from other sites (no
 * online validator badge either), so a same-origin Content-Security-Policy fits it.
 */
final class SwaggerUi {
  static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/5.34.1";
  static final String CONTRACT_PATH = "/openapi.yaml";

  private static final String INITIALIZER =
      """
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "%s",
          dom_id: "#swagger-ui",
          deepLinking: true,
          validatorUrl: null,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          plugins: [SwaggerUIBundle.plugins.DownloadUrl],
          layout: "StandaloneLayout"
        });
      };
      """
          .formatted(CONTRACT_PATH);

  private SwaggerUi() {}

  static void mount(Router router, Buffer contract) {
    router
        .get(CONTRACT_PATH)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/yaml; charset=utf-8")
                    .end(contract));
    router.getWithRegex("^/swagger$").handler(ctx -> ctx.redirect("/swagger/"));
    router
        .get("/swagger/swagger-initializer.js")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/javascript; charset=utf-8")
                    .end(INITIALIZER));
    router.get("/swagger/*").handler(StaticHandler.create(WEBJAR).setCachingEnabled(true));
  }
}
