package io.taskservice.drf;

import io.taskservice.drf.python.PythonInt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;

/**
 * DRF's {@code PageNumberPagination} with the reference's settings: {@code page_size} from the
 * query (20 by default, at most 100), {@code page} a number from 1 or {@code last}, and the body
 * {@code count}, {@code next}, {@code previous}, {@code results} with links as DRF builds them.
 * Plain Java: the caller counts and fetches the rows.
 */
public final class PageNumberPagination {
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  static final String INVALID_PAGE = "Invalid page.";

  private final QueryString query;
  private final int pageSize;
  private final String page;

  /** Reads {@code page_size} and {@code page} of a list request's query. */
  public PageNumberPagination(QueryString query) {
    this.query = query;
    this.pageSize = pageSize(query);
    this.page = query.last("page").filter(p -> !p.isEmpty()).orElse("1");
  }

  /** DRF's page_size: a positive integer, capped at the maximum; anything else the default. */
  private static int pageSize(QueryString query) {
    return query
        .last("page_size")
        .flatMap(PythonInt::parse)
        .filter(n -> n.signum() > 0)
        .map(n -> n.min(BigInteger.valueOf(MAX_PAGE_SIZE)).intValue())
        .orElse(DEFAULT_PAGE_SIZE);
  }

  public int pageSize() {
    return pageSize;
  }

  /**
   * Where the page asked for by number starts, before the rows are counted: a list that reads its
   * page and its count together starts there, and reads again from {@link Page#offset()} when the
   * count puts the page elsewhere ({@code last}). 0 when the page is no number.
   */
  public long requestedOffset() {
    return PythonInt.parseLong(page)
        .filter(n -> n >= 1 && n <= Integer.MAX_VALUE)
        .map(n -> (n - 1) * pageSize)
        .orElse(0L);
  }

  /** The page asked for, of a list of {@code count} rows. */
  public record Page(long count, long number, long pages, long offset) {}

  /**
   * Django's {@code Paginator.validate_number}, with DRF's {@code last}: a page that does not exist
   * is 404 {@value #INVALID_PAGE}.
   */
  public Page page(long count) {
    long pages = Math.max(1, (count + pageSize - 1) / pageSize);
    long number = "last".equals(page) ? pages : number(pages);
    return new Page(count, number, pages, (number - 1) * pageSize);
  }

  private long number(long pages) {
    return PythonInt.parseLong(page)
        .filter(n -> n >= 1 && n <= pages)
        .orElseThrow(() -> ApiError.notFound(INVALID_PAGE));
  }

  /**
   * DRF's paginated response.
   *
   * @param base the list's absolute URL without its query (DRF's {@code build_absolute_uri})
   */
  public JsonObject body(String base, Page page, JsonArray results) {
    long number = page.number();
    String next =
        number < page.pages() ? link(base, query.with("page", Long.toString(number + 1))) : null;
    String previous = null;
    if (number > 1) {
      previous =
          link(
              base,
              number == 2 ? query.without("page") : query.with("page", Long.toString(number - 1)));
    }
    return new JsonObject()
        .put("count", page.count())
        .put("next", next)
        .put("previous", previous)
        .put("results", results);
  }

  private static String link(String base, String query) {
    return query.isEmpty() ? base : base + "?" + query;
  }
}
