package io.taskservice.dashboard;

import io.taskservice.http.security.Sha256;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard at {@code /dashboard/}: a page and its scripts, styles and icon, all in the jar,
 * read once and served from memory (also gzipped). The assets' URLs carry a version (a digest of
 * their content), so browsers keep them for a year and a new build is fetched at once; the page
 * itself is revalidated on each load (ETag). Page and assets hold no data and need no token; the
 * page's own calls to {@code /api/} carry it.
 */
final class DashboardPage {
  static final String PATH = "/dashboard/";
  static final String ASSETS_PATH = PATH + "assets/";
  private static final String RESOURCES = "dashboard/";
  private static final String VERSION_MARK = "{{version}}";
  // every file of src/main/resources/dashboard except the page itself
  static final List<String> ASSETS =
      List.of(
          "dashboard.css",
          "icon.svg",
          "app.js",
          "api.js",
          "stream.js",
          "tasks.js",
          "chart.js",
          "stats.js",
          "history.js",
          "create.js",
          "format.js",
          "queues.js",
          "actions.js",
          "confirm.js");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "svg", "image/svg+xml");
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";
  private static final String REVALIDATE = "no-cache";

  private static DashboardPage shared;

  private final String version;
  private final String etag;
  private final Content page;
  private final Map<String, Content> assets;

  private record Content(String type, Buffer plain, Buffer gzipped) {
    static Content of(String type, byte[] bytes) {
      return new Content(type, Buffer.buffer(bytes), Buffer.buffer(gzip(bytes)));
    }
  }

  private DashboardPage(String version, Content page, Map<String, Content> assets) {
    this.version = version;
    this.etag = "\"" + version + "\"";
    this.page = page;
    this.assets = assets;
  }

  /** The files of this build, read from the class path once per process. */
  static synchronized DashboardPage shared() {
    if (shared == null) {
      shared = load();
    }
    return shared;
  }

  private static DashboardPage load() {
    MessageDigest digest = Sha256.digest();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : ASSETS) {
      byte[] bytes = read(name);
      files.put(name, bytes);
      digest.update(name.getBytes(StandardCharsets.UTF_8));
      digest.update(bytes);
    }
    byte[] template = read("index.html");
    digest.update(template);
    String version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    Map<String, Content> assets = new LinkedHashMap<>();
    files.forEach((name, bytes) -> assets.put(name, Content.of(type(name), bytes)));
    String html = new String(template, StandardCharsets.UTF_8).replace(VERSION_MARK, version);
    return new DashboardPage(
        version, Content.of(type("index.html"), html.getBytes(StandardCharsets.UTF_8)), assets);
  }

  String version() {
    return version;
  }

  void mount(Router router) {
    router.getWithRegex("^/dashboard$").handler(ctx -> ctx.redirect(PATH));
    router.route(PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::page);
    router
        .route(ASSETS_PATH + ":version/:name")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(this::asset);
  }

  private void page(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    response.putHeader(HttpHeaders.CACHE_CONTROL, REVALIDATE).putHeader(HttpHeaders.ETAG, etag);
    if (etag.equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    send(ctx, page);
  }

  private void asset(RoutingContext ctx) {
    Content content = assets.get(ctx.pathParam("name"));
    if (content == null || !version.equals(ctx.pathParam("version"))) {
      // an asset of another build is not served under this build's content
      ctx.next();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, IMMUTABLE);
    send(ctx, content);
  }

  private static void send(RoutingContext ctx, Content content) {
    HttpServerResponse response =
        ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, content.type())
            .putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
    if (acceptsGzip(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING))) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip").end(content.gzipped());
    } else {
      response.end(content.plain());
    }
  }

  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      if (parts[0].trim().toLowerCase(Locale.ROOT).equals("gzip")) {
        for (int i = 1; i < parts.length; i++) {
          String param = parts[i].replace(" ", "");
          if (param.matches("q=0(\\.0*)?")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  private static String type(String name) {
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    if (type == null) {
      throw new IllegalStateException("no content type for dashboard file " + name);
    }
    return type;
  }

  private static byte[] read(String name) {
    try (InputStream in =
        DashboardPage.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file missing from the build: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
