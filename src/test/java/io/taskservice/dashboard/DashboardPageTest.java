package io.taskservice.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.RunningNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's files over HTTP on a node with API tokens: served from memory without a token,
 * under the security headers, with caching headers that let browsers keep the versioned assets.
 */
class DashboardPageTest {
  private static final String TOKEN = "dash-token-9c1e";
  private static final Pattern ASSET = Pattern.compile("assets/([0-9a-f]{12})/([a-z]+\\.[a-z]+)");

  @RegisterExtension
  static final RunningNode service = RunningNode.with(Map.of("TASKS_API_TOKENS", TOKEN));

  @Test
  void thePageLoadsWithoutATokenUnderTheSecurityHeaders() {
    HttpResponse<Buffer> page = service.api().get("/dashboard/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.getHeader("Content-Security-Policy")).startsWith("default-src 'self'");
    assertThat(page.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.bodyAsString()).contains("<title>task-service dashboard</title>");
    // while the data stays behind the token
    assertThat(service.api().get("/api/v1/stats/").statusCode()).isEqualTo(401);
  }

  @Test
  void thePageHasNoInlineScriptOrStyle() {
    String html = service.api().get("/dashboard/").bodyAsString();

    assertThat(html).doesNotContain("<style").doesNotContain(" style=");
    assertThat(html).doesNotContainPattern("\\son[a-z]+=");
    Matcher scripts = Pattern.compile("<script[^>]*>(.*?)</script>", Pattern.DOTALL).matcher(html);
    while (scripts.find()) {
      assertThat(scripts.group(0)).contains(" src=");
      assertThat(scripts.group(1)).isBlank();
    }
  }

  @Test
  void everyAssetTheBuildHasIsServedUnderItsVersionAndKeptForAYear() throws IOException {
    String html = service.api().get("/dashboard/").bodyAsString();
    Matcher assets = ASSET.matcher(html);
    assertThat(assets.find()).isTrue();
    String version = assets.group(1);

    for (String name : filesOfTheBuild()) {
      HttpResponse<Buffer> asset = service.api().get("/dashboard/assets/" + version + "/" + name);
      assertThat(asset.statusCode()).as(name).isEqualTo(200);
      assertThat(asset.getHeader("Cache-Control"))
          .as(name)
          .isEqualTo("public, max-age=31536000, immutable");
      assertThat(asset.body().getBytes()).as(name).isEqualTo(source(name));
    }
    assertThat(
            service.api().get("/dashboard/assets/" + version + "/app.js").getHeader("Content-Type"))
        .isEqualTo("text/javascript; charset=utf-8");
  }

  @Test
  void anAssetOfAnotherBuildOrNameIsNotFound() {
    String version = version();

    assertThat(service.api().get("/dashboard/assets/000000000000/app.js").statusCode())
        .isEqualTo(404);
    assertThat(service.api().get("/dashboard/assets/" + version + "/nothing.js").statusCode())
        .isEqualTo(404);
    assertThat(service.api().get("/dashboard/assets/" + version + "/../index.html").statusCode())
        .isEqualTo(404);
  }

  @Test
  void thePageIsRevalidatedByItsEtag() {
    HttpResponse<Buffer> first = service.api().get("/dashboard/");
    String etag = first.getHeader("ETag");

    assertThat(first.getHeader("Cache-Control")).isEqualTo("no-cache");
    assertThat(etag).isEqualTo("\"" + version() + "\"");
    HttpResponse<Buffer> again =
        service.api().send(HttpMethod.GET, "/dashboard/", Map.of("If-None-Match", etag), null);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isNull();
  }

  @Test
  void filesAreGzippedForClientsThatAcceptIt() throws IOException {
    HttpResponse<Buffer> zipped =
        service
            .api()
            .send(
                HttpMethod.GET,
                "/dashboard/assets/" + version() + "/app.js",
                Map.of("Accept-Encoding", "br, gzip"),
                null);

    assertThat(zipped.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(zipped.getHeader("Vary")).containsIgnoringCase("Accept-Encoding");
    try (GZIPInputStream in =
        new GZIPInputStream(new ByteArrayInputStream(zipped.body().getBytes()))) {
      assertThat(in.readAllBytes()).isEqualTo(source("app.js"));
    }
    HttpResponse<Buffer> refused =
        service
            .api()
            .send(
                HttpMethod.GET,
                "/dashboard/assets/" + version() + "/app.js",
                Map.of("Accept-Encoding", "gzip;q=0"),
                null);
    assertThat(refused.getHeader("Content-Encoding")).isNull();
  }

  @Test
  void withoutTheSlashItRedirectsAndHeadSendsNoBody() throws Exception {
    WebClient noRedirects =
        WebClient.create(service.node().vertx(), new WebClientOptions().setFollowRedirects(false));
    HttpResponse<Buffer> redirect =
        noRedirects
            .get(service.node().port(), "localhost", "/dashboard")
            .send()
            .await(20, TimeUnit.SECONDS);
    HttpResponse<Buffer> head = service.api().send(HttpMethod.HEAD, "/dashboard/", Map.of(), null);

    assertThat(redirect.statusCode()).isEqualTo(302);
    assertThat(redirect.getHeader("Location")).isEqualTo("/dashboard/");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isNull();
  }

  private static String version() {
    Matcher assets = ASSET.matcher(service.api().get("/dashboard/").bodyAsString());
    assertThat(assets.find()).isTrue();
    return assets.group(1);
  }

  /** Every file in src/main/resources/dashboard but the page: all must be served. */
  private static List<String> filesOfTheBuild() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/dashboard"))) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("index.html"))
              .sorted()
              .toList();
      assertThat(names).containsExactlyInAnyOrderElementsOf(DashboardPage.ASSETS);
      return names;
    }
  }

  private static byte[] source(String name) throws IOException {
    return Files.readString(Path.of("src/main/resources/dashboard", name), StandardCharsets.UTF_8)
        .getBytes(StandardCharsets.UTF_8);
  }
}
