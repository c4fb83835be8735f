package io.taskservice.drf;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.taskservice.drf.fields.TitleRules;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DRF's {@code BrowsableAPIRenderer}: the HTML page a browser gets from the API ({@code Accept:
 * text/html}, {@code ?format=api}, a {@code .api} suffix). It shows the request, the answer as the
 * JSON renderer writes it with an indent of 4 (status line, headers, body, links clickable), and a
 * form for each method the view allows: format links for GET, a button for OPTIONS, and on the task
 * list a filter form and the create form, as an HTML form (posted by the browser itself) and as raw
 * data. Every value is HTML-escaped; the page loads one stylesheet and one script from this
 * service, so the Content-Security-Policy ({@code script-src 'self'}) holds. The script keeps a
 * bearer token in {@code sessionStorage} and sends it with the page's own requests.
 */
public final class BrowsableApi {
  public static final String CONTENT_TYPE = "text/html; charset=utf-8";
  static final String ASSETS = "/static/drf/";
  private static final List<String> FILES = List.of("api.css", "api.js");
  private static final Map<String, String> TYPES =
      Map.of("css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");
  private static final Pattern LINK = Pattern.compile("https?://[^\\s\"<>\\\\]+");
  private static final String[] STATUSES = {"new", "processing", "done", "failed"};

  private static final Assets ASSET_FILES = Assets.load();

  private BrowsableApi() {}

  /** The page's stylesheet and script, from the jar, under a versioned path cached for a year. */
  public static void mount(Router router) {
    router
        .route(ASSETS + ":version/:name")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(BrowsableApi::asset);
  }

  private static void asset(RoutingContext ctx) {
    Buffer file = ASSET_FILES.files.get(ctx.pathParam("name"));
    if (file == null || !ASSET_FILES.version.equals(ctx.pathParam("version"))) {
      ctx.next();
      return;
    }
    String name = ctx.pathParam("name");
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get(name.substring(name.lastIndexOf('.') + 1)))
        .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=31536000, immutable")
        .end(file);
  }

  /**
   * The page for an answer about to be sent: {@code body} as the answer's JSON, the status and the
   * headers already set on {@code ctx}'s response.
   */
  public static Buffer page(RoutingContext ctx, Object body, Views.Negotiated negotiated) {
    HttpServerRequest request = ctx.request();
    Views.View view = Views.match(request.path());
    Views.Kind kind = view == null ? Views.Kind.ROOT : view.kind();
    int status = ctx.response().getStatusCode();
    String query = request.query();
    // Django's get_full_path: the path, and the query string when there is one
    String fullPath =
        query == null || query.isEmpty() ? request.path() : request.path() + "?" + query;
    String name = kind.title;
    StringBuilder html = new StringBuilder(4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\">\n")
        .append("<meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        // no icon: browsers would ask for /favicon.ico, which the service does not serve
        .append("<link rel=\"icon\" href=\"data:,\">\n")
        .append("<title>")
        .append(escape(name))
        .append(" \u2013 task-service</title>\n")
        .append("<link rel=\"stylesheet\" href=\"")
        .append(ASSETS)
        .append(ASSET_FILES.version)
        .append("/api.css\">\n")
        .append("<script type=\"module\" src=\"")
        .append(ASSETS)
        .append(ASSET_FILES.version)
        .append("/api.js\"></script>\n")
        .append("</head>\n<body data-status=\"")
        .append(status)
        .append("\">\n");
    navbar(html, status);
    html.append("<main>\n");
    breadcrumbs(html, view);
    html.append("<div class=\"request-forms\">\n");
    methodForms(html, request, kind, fullPath, name);
    html.append("</div>\n<h1>").append(escape(name)).append("</h1>\n");
    String description = status == 401 || status == 403 ? "" : description(kind);
    if (!description.isEmpty()) {
      html.append("<p class=\"description\">").append(escape(description)).append("</p>\n");
    }
    html.append("<div class=\"request-info\"><pre class=\"prettyprint\"><b>")
        .append(escape(request.method().name()))
        .append("</b> ")
        .append(escape(fullPath))
        .append("</pre></div>\n");
    html.append("<div class=\"response-info\"><pre class=\"prettyprint\">")
        .append("<span class=\"meta nocode\"><b>HTTP ")
        .append(status)
        .append(' ')
        .append(escape(HttpResponseStatus.valueOf(status).reasonPhrase()))
        .append("</b>");
    for (Map.Entry<String, String> header : headers(ctx.response().headers()).entrySet()) {
      html.append("\n<b>")
          .append(escape(header.getKey()))
          .append(":</b> <span class=\"lit\">")
          .append(escape(header.getValue()))
          .append("</span>");
    }
    html.append("\n\n</span>")
        .append(linked(JsonRenderer.text(body, negotiated.indent(4))))
        .append("</pre></div>\n");
    if (kind == Views.Kind.LIST && status != 403) {
      createForms(html, fullPath, name);
    }
    html.append("</main>\n</body>\n</html>\n");
    return Buffer.buffer(html.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The answer's headers as DRF lists them: sorted, Content-Type as the JSON renderer's. */
  private static Map<String, String> headers(MultiMap response) {
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, String> h : response) {
      String key = canonical(h.getKey());
      if (!key.equals("Content-Length") && !key.equals("Transfer-Encoding")) {
        headers.merge(key, h.getValue(), (a, b) -> a + ", " + b);
      }
    }
    headers.put("Content-Type", "application/json");
    return headers;
  }

  private static String canonical(String name) {
    if (name.equalsIgnoreCase("content-type")) {
      return "Content-Type";
    }
    if (name.equalsIgnoreCase("www-authenticate")) {
      return "WWW-Authenticate";
    }
    if (name.equalsIgnoreCase("etag")) {
      return "ETag";
    }
    StringBuilder out = new StringBuilder(name.length());
    boolean upper = true;
    for (char c : name.toCharArray()) {
      out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
      upper = c == '-';
    }
    return out.toString();
  }

  private static void navbar(StringBuilder html, int status) {
    html.append("<header class=\"navbar\">\n")
        .append("<a class=\"brand\" href=\"/api/v1/\">task-service API</a>\n")
        .append("<nav><a href=\"/swagger/\">Swagger UI</a> <a href=\"/dashboard/\">Dashboard</a>")
        .append("</nav>\n")
        .append("<form id=\"token-form\" class=\"token\"")
        .append(status == 401 ? "" : " hidden")
        .append(">\n<label for=\"token\">Bearer token</label> ")
        .append("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\"")
        .append(" placeholder=\"kept for this tab only\">\n")
        .append("<button type=\"submit\">Use token</button> ")
        .append("<button type=\"button\" id=\"token-forget\">Forget</button>\n")
        .append("</form>\n</header>\n");
  }

  /** DRF's {@code get_breadcrumbs}: each view on the way to this one. */
  private static void breadcrumbs(StringBuilder html, Views.View view) {
    List<String[]> crumbs = new ArrayList<>();
    crumbs.add(new String[] {"Api Root", "/api/v1/"});
    if (view != null) {
      switch (view.kind()) {
        case LIST -> crumbs.add(new String[] {"Task List", "/api/v1/tasks/"});
        case DETAIL, HISTORY -> {
          crumbs.add(new String[] {"Task List", "/api/v1/tasks/"});
          String detail = "/api/v1/tasks/" + view.lookup() + "/";
          crumbs.add(new String[] {"Task Instance", detail});
          if (view.kind() == Views.Kind.HISTORY) {
            crumbs.add(new String[] {"Task History", detail + "history/"});
          }
        }
        case STATS -> crumbs.add(new String[] {"Stats", "/api/v1/stats/"});
        default -> {}
      }
    }
    html.append("<ul class=\"breadcrumb\">");
    for (int i = 0; i < crumbs.size(); i++) {
      html.append(i == crumbs.size() - 1 ? "<li class=\"active\">" : "<li>")
          .append("<a href=\"")
          .append(escape(crumbs.get(i)[1]))
          .append("\">")
          .append(escape(crumbs.get(i)[0]))
          .append("</a></li>");
    }
    html.append("</ul>\n");
  }

  private static String description(Views.Kind kind) {
    return switch (kind) {
      case ROOT -> "The default basic root view for DefaultRouter";
      case HISTORY -> "What happened to the task, oldest first.";
      case STATS -> "Figures about the whole cluster, as the dashboard shows them.";
      default -> "";
    };
  }

  /** GET with its format links, and OPTIONS, as far as the view allows them. */
  private static void methodForms(
      StringBuilder html,
      HttpServerRequest request,
      Views.Kind kind,
      String fullPath,
      String name) {
    QueryString query = QueryString.parse(request.query());
    html.append("<div class=\"format-selection\"><a class=\"button\" href=\"")
        .append(escape(fullPath))
        .append("\" rel=\"nofollow\" title=\"Make a GET request on the ")
        .append(escape(name))
        .append(" resource\">GET</a>");
    for (Views.Renderer renderer : Views.Renderer.values()) {
      String withFormat = request.path() + "?" + query.with("format", renderer.format);
      html.append(" <a class=\"format-option\" href=\"")
          .append(escape(withFormat))
          .append("\" rel=\"nofollow\">")
          .append(renderer.format)
          .append("</a>");
    }
    html.append("</div>\n");
    if (kind.allow.contains("OPTIONS")) {
      html.append("<form class=\"button-form\" action=\"")
          .append(escape(fullPath))
          .append("\" data-method=\"OPTIONS\"><button title=\"Make an OPTIONS request on the ")
          .append(escape(name))
          .append(" resource\">OPTIONS</button></form>\n");
    }
    if (kind == Views.Kind.LIST) {
      String selected = query.last("status").orElse("");
      html.append("<form class=\"filters\" method=\"get\" action=\"")
          .append(escape(request.path()))
          .append("\"><label for=\"filter-status\">Status</label> ")
          .append(
              "<select id=\"filter-status\" name=\"status\"><option value=\"\">---------</option>");
      for (String status : STATUSES) {
        html.append("<option value=\"")
            .append(status)
            .append(status.equals(selected) ? "\" selected>" : "\">")
            .append(status)
            .append("</option>");
      }
      html.append("</select>");
      query
          .last("format")
          .ifPresent(
              f ->
                  html.append("<input type=\"hidden\" name=\"format\" value=\"")
                      .append(escape(f))
                      .append("\">"));
      html.append(" <button>Filter</button></form>\n");
    }
  }

  /** DRF's HTML form and raw data form for POST on the task list. */
  private static void createForms(StringBuilder html, String fullPath, String name) {
    String title = " title=\"Make a POST request on the " + escape(name) + " resource\"";
    html.append("<section class=\"post-forms\">\n<h2>Create a task</h2>\n")
        .append("<form class=\"html-form\" action=\"")
        .append(escape(fullPath))
        .append("\" method=\"POST\" enctype=\"multipart/form-data\" data-method=\"POST\">\n")
        .append("<label for=\"post-title\">Title</label> ")
        .append("<input id=\"post-title\" name=\"title\" type=\"text\" maxlength=\"")
        .append(TitleRules.MAX_LENGTH)
        .append("\" required>\n<button")
        .append(title)
        .append(">POST</button>\n</form>\n")
        .append("<form class=\"raw-form\" action=\"")
        .append(escape(fullPath))
        .append("\" data-method=\"POST\" data-raw hidden>\n")
        .append("<label for=\"raw-type\">Media type</label> ")
        .append("<select id=\"raw-type\" name=\"_content_type\">")
        .append("<option>application/json</option>")
        .append("<option>application/x-www-form-urlencoded</option>")
        .append("<option>multipart/form-data</option></select>\n")
        .append("<label for=\"raw-content\">Content</label>\n")
        .append("<textarea id=\"raw-content\" name=\"_content\" rows=\"6\">")
        .append(escape("{\n    \"title\": \"\"\n}"))
        .append("</textarea>\n<button")
        .append(title)
        .append(">POST</button>\n</form>\n</section>\n");
  }

  /** JSON text, escaped, with its http(s) links made clickable (Django's {@code urlize}). */
  static String linked(String text) {
    StringBuilder out = new StringBuilder(text.length() + 64);
    Matcher links = LINK.matcher(text);
    int from = 0;
    while (links.find()) {
      out.append(escape(text.substring(from, links.start())));
      String url = escape(links.group());
      out.append("<a href=\"")
          .append(url)
          .append("\" rel=\"nofollow\">")
          .append(url)
          .append("</a>");
      from = links.end();
    }
    return out.append(escape(text.substring(from))).toString();
  }

  /** Django's {@code escape}. */
  static String escape(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      String replacement =
          switch (s.charAt(i)) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#x27;";
            default -> null;
          };
      if (replacement != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (replacement != null) {
          out.append(replacement);
        } else {
          out.append(s.charAt(i));
        }
      }
    }
    return out == null ? s : out.toString();
  }

  /** The files of this build, read once; their version is a digest of their content. */
  private record Assets(String version, Map<String, Buffer> files) {
    static Assets load() {
      MessageDigest digest;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      Map<String, Buffer> files = new TreeMap<>();
      for (String name : FILES) {
        byte[] bytes = read(name);
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update(bytes);
        files.put(name, Buffer.buffer(bytes));
      }
      String version = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
      return new Assets(version.toLowerCase(Locale.ROOT), Map.copyOf(files));
    }

    private static byte[] read(String name) {
      try (InputStream in =
          BrowsableApi.class.getClassLoader().getResourceAsStream("drf/" + name)) {
        if (in == null) {
          throw new IllegalStateException("browsable API file missing from the build: " + name);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
