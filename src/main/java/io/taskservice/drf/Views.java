package io.taskservice.drf;

import io.taskservice.domain.PythonText;
import io.taskservice.drf.python.PythonInt;
import io.vertx.ext.web.RoutingContext;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DRF's views as the reference's {@code DefaultRouter} lays them out, with the service's own JSON
 * endpoints beside them: which view a path belongs to (format suffixes included: {@code
 * /api/v1/tasks.json}, {@code /api/v1/tasks/17.api}, {@code /api/v1/.json}), which methods it
 * allows (the {@code Allow} header of every answer), and content negotiation before anything else,
 * as DRF's {@code DefaultContentNegotiation} does it: JSON or the browsable API (HTML), chosen by
 * the format suffix, else {@code ?format=}, and the {@code Accept} header (406, or 404 for an
 * unknown format).
 */
public final class Views {
  static final String LIST_ALLOW = "GET, POST, HEAD, OPTIONS";
  static final String DETAIL_ALLOW = "GET, HEAD, OPTIONS";
  static final String READ_ONLY_ALLOW = "GET";
  static final String ACTION_ALLOW = "POST, OPTIONS";
  private static final String CANCEL = "cancel";

  private static final String API = "/api/v1";
  private static final String TASKS = "/tasks";
  private static final String NEGOTIATED = "drf.negotiated";

  private Views() {}

  /** The views of the API, as a DRF page names them. */
  public enum Kind {
    ROOT("Api Root", DETAIL_ALLOW),
    LIST("Task List", LIST_ALLOW),
    DETAIL("Task Instance", DETAIL_ALLOW),
    HISTORY("Task History", READ_ONLY_ALLOW),
    /** The reference's {@code cancel} action on one task. */
    CANCEL("Cancel", ACTION_ALLOW),
    /** The reference's {@code cancel_waiting} action on the list ({@code /tasks/cancel/}). */
    CANCEL_WAITING("Cancel waiting", ACTION_ALLOW),
    STATS("Stats", READ_ONLY_ALLOW),
    /** The view set's {@code bulk} action: {@code POST /api/v1/tasks/bulk/}. */
    BULK("Bulk", ACTION_ALLOW);

    final String title;
    final String allow;

    Kind(String title, String allow) {
      this.title = title;
      this.allow = allow;
    }

    /** The view's name, as DRF's page and its {@code OPTIONS} metadata give it. */
    public String title() {
      return title;
    }
  }

  /**
   * A path of one of the API's views.
   *
   * @param lookup the task id as written in the path (without the format suffix), for a detail
   * @param format the format suffix, or null
   */
  public record View(Kind kind, String lookup, String format) {}

  /** DRF's renderers, in the reference's order: JSON first, then the browsable API. */
  public enum Renderer {
    JSON("application/json", "json"),
    API("text/html", "api");

    final MediaType type;
    final String format;

    Renderer(String type, String format) {
      this.type = MediaType.parse(type);
      this.format = format;
    }
  }

  /**
   * The outcome of content negotiation.
   *
   * @param indent the {@code indent} parameter of the accepted media type, or null
   */
  public record Negotiated(Renderer renderer, String indent) {
    static final Negotiated DEFAULT = new Negotiated(Renderer.JSON, null);

    public boolean html() {
      return renderer == Renderer.API;
    }

    /**
     * As DRF's {@code JSONRenderer.get_indent}: an integer {@code indent} parameter, cut to 0..8 (0
     * is compact), else {@code fallback} (4 in the browsable API, none for JSON).
     */
    public Integer indent(Integer fallback) {
      if (indent == null) {
        return fallback;
      }
      Optional<BigInteger> number = PythonInt.parse(indent);
      if (number.isEmpty()) {
        return fallback;
      }
      int spaces = number.get().max(BigInteger.ZERO).min(BigInteger.valueOf(8)).intValue();
      return spaces == 0 ? null : spaces;
    }
  }

  /** The view {@code path} belongs to, or null outside the API's views (the event stream too). */
  public static View match(String path) {
    // on every request: plain string checks instead of regexes
    if (!path.startsWith(API)) {
      return null;
    }
    String rest = path.substring(API.length());
    if (rest.isEmpty() || rest.equals("/")) {
      return new View(Kind.ROOT, null, null);
    }
    if (rest.startsWith("/.")) {
      String format = format(rest.substring(2));
      return format == null ? null : new View(Kind.ROOT, null, format);
    }
    if (rest.equals("/stats") || rest.equals("/stats/")) {
      return new View(Kind.STATS, null, null);
    }
    if (!rest.startsWith(TASKS)) {
      return null;
    }
    rest = rest.substring(TASKS.length());
    if (rest.isEmpty() || rest.equals("/")) {
      return new View(Kind.LIST, null, null);
    }
    if (rest.charAt(0) == '.') {
      String format = format(rest.substring(1));
      return format == null ? null : new View(Kind.LIST, null, format);
    }
    if (rest.charAt(0) != '/') {
      return null;
    }
    String tail = rest.substring(1);
    if (tail.endsWith("/")) {
      tail = tail.substring(0, tail.length() - 1);
    }
    if (tail.equals("bulk")) {
      return new View(Kind.BULK, null, null);
    }
    // the action's own suffix route, ahead of the detail's: bulk.json is no task's
    if (tail.startsWith("bulk.") && format(tail.substring(5)) != null) {
      return new View(Kind.BULK, null, tail.substring(5));
    }
    int slash = tail.indexOf('/');
    if (slash < 0) {
      // the list's actions come before the detail route, as in DRF's router
      if (tail.equals(CANCEL)) {
        return new View(Kind.CANCEL_WAITING, null, null);
      }
      String waitingFormat = actionFormat(tail);
      if (waitingFormat != null) {
        return new View(Kind.CANCEL_WAITING, null, waitingFormat);
      }
      return tail.isEmpty() ? null : detail(tail);
    }
    if (slash > 0 && tail.substring(slash).equals("/history")) {
      return new View(Kind.HISTORY, tail.substring(0, slash), null);
    }
    if (slash > 0 && tail.substring(slash + 1).equals(CANCEL)) {
      return new View(Kind.CANCEL, tail.substring(0, slash), null);
    }
    String cancelFormat = slash > 0 ? actionFormat(tail.substring(slash + 1)) : null;
    if (cancelFormat != null) {
      return new View(Kind.CANCEL, tail.substring(0, slash), cancelFormat);
    }
    return null;
  }

  /** The format of a cancel action's suffix route ({@code cancel.json}), or null. */
  private static String actionFormat(String segment) {
    return segment.startsWith(CANCEL + ".") ? format(segment.substring(CANCEL.length() + 1)) : null;
  }

  /**
   * {@code <pk>.<format>} as DRF's detail route reads it ({@code [^/.]+} then {@code [a-z0-9]+}).
   */
  private static View detail(String segment) {
    int dot = segment.indexOf('.');
    if (dot < 0) {
      return new View(Kind.DETAIL, segment, null);
    }
    String format = dot > 0 ? format(segment.substring(dot + 1)) : null;
    // no route of DRF's matches: the lookup as it is, which no task has
    return new View(Kind.DETAIL, format == null ? segment : segment.substring(0, dot), format);
  }

  /** A format suffix ({@code [a-z0-9]+}, a trailing slash allowed), or null. */
  private static String format(String suffix) {
    String format = suffix.endsWith("/") ? suffix.substring(0, suffix.length() - 1) : suffix;
    if (format.isEmpty()) {
      return null;
    }
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return null;
      }
    }
    return format;
  }

  /** The methods the view of {@code path} allows, or null outside the API's views. */
  public static String allowFor(String path) {
    View view = match(path);
    return view == null ? null : view.kind().allow;
  }

  /** The task id of a detail path's {@code {id}} segment, without its format suffix. */
  public static String lookup(String segment) {
    return detail(segment).lookup();
  }

  /**
   * Runs before the operations: DRF negotiates the response type before anything else, a 406 (or a
   * 404 for an unknown format) then answered in JSON.
   */
  public static void negotiate(RoutingContext ctx) {
    View view = match(ctx.request().path());
    if (view != null) {
      ctx.put(NEGOTIATED, Negotiated.DEFAULT);
      ctx.put(NEGOTIATED, select(view, ctx.request().getHeader("Accept"), ctx.request().query()));
    }
    ctx.next();
  }

  /**
   * How the answer to this request is written: as negotiated, or, when the request failed before
   * negotiation (a guard refused it), as it would have been negotiated; JSON outside the API's
   * views and when negotiation itself failed.
   */
  public static Negotiated negotiated(RoutingContext ctx) {
    Negotiated done = ctx.get(NEGOTIATED);
    if (done != null) {
      return done;
    }
    View view = match(ctx.request().path());
    if (view == null) {
      return Negotiated.DEFAULT;
    }
    try {
      return select(view, ctx.request().getHeader("Accept"), ctx.request().query());
    } catch (ApiError e) {
      return Negotiated.DEFAULT;
    }
  }

  /** DRF's {@code DefaultContentNegotiation.select_renderer}. */
  static Negotiated select(View view, String accept, String query) {
    String format = view.format();
    if (format == null && query != null && query.contains("format")) {
      format = QueryString.parse(query).last("format").orElse(null);
    }
    List<Renderer> renderers = new ArrayList<>(List.of(Renderer.values()));
    if (format != null && !format.isEmpty()) {
      String wanted = format;
      renderers.removeIf(r -> !r.format.equals(wanted));
      if (renderers.isEmpty()) {
        throw ApiError.notFound(ApiError.NOT_FOUND);
      }
    }
    if (accept == null) {
      return new Negotiated(renderers.get(0), null);
    }
    List<MediaType> accepted = new ArrayList<>();
    for (String token : accept.split(",", -1)) {
      accepted.add(MediaType.parse(PythonText.strip(token)));
    }
    for (int precedence = 3; precedence >= 0; precedence--) {
      for (Renderer renderer : renderers) {
        for (MediaType type : accepted) {
          if (type.precedence() == precedence && renderer.type.match(type)) {
            return new Negotiated(renderer, type.params().get("indent"));
          }
        }
      }
    }
    throw ApiError.notAcceptable();
  }
}
