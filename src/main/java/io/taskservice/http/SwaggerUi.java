package io.taskservice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Swagger UI at {@code /swagger/}, served from the swagger-ui webjar (no CDN), showing the contract
 * the router is built from ({@code /openapi.yaml}). The page loads nothing from other sites (no
 * online validator badge either), so a same-origin Content-Security-Policy fits it.
 *
 * <p>The repository contract names {@code http://localhost:8000} as its server, because the router
 * builder needs an absolute URL. The copy served here names {@code /} instead, which Swagger UI
 * resolves against the address the contract came from: "Try it out" then calls the node the page
 * was loaded from, whatever its host name, port or scheme (also behind a proxy that ends TLS), and
 * the same-origin policy allows it.
 */
final class SwaggerUi {
  static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/5.34.1";
  static final String CONTRACT_PATH = "/openapi.yaml";
  // the top-level servers list: its line, then its indented entries and comments
  private static final Pattern SERVERS = Pattern.compile("(?m)^servers:\\n(?:[ #].*\\n)*");
  private static final String SAME_ORIGIN =
      "servers:\n  - url: /\n    description: The server this contract was loaded from.\n";

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

  static void mount(Router router, Buffer repositoryContract) {
    Buffer contract = served(repositoryContract);
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

  /** The contract with its servers replaced by the origin it is fetched from. */
  static Buffer served(Buffer repositoryContract) {
    Matcher servers = SERVERS.matcher(repositoryContract.toString());
    if (!servers.find()) {
      throw new IllegalStateException(HttpVerticle.CONTRACT + " has no top-level servers list");
    }
    return Buffer.buffer(servers.replaceFirst(Matcher.quoteReplacement(SAME_ORIGIN)));
  }
}
