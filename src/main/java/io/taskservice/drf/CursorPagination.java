package io.taskservice.drf;

import io.taskservice.drf.python.PythonBase64;
import io.taskservice.drf.python.PythonInt;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * DRF's {@code CursorPagination}, ported line by line so that its clients get the same cursors and
 * links: a cursor is the base64 of a query string {@code o=<offset>&r=1&p=<position>}, a page holds
 * the rows after the position (in the list's order, or before it when {@code r=1}), skipping {@code
 * o} of them, and the next and previous cursors are derived from the page's first and last
 * positions. Here the ordering is {@code -id}, so positions are unique and the offset only comes in
 * through hand-made cursors. Plain Java: the caller fetches the rows.
 *
 * @param <T> a row of the page
 */
public final class CursorPagination<T> {
  static final String INVALID = "Invalid cursor";
  // DRF's offset_cutoff: an offset costs rows read, so a client cannot ask for more than this
  static final int OFFSET_CUTOFF = 1000;

  /** DRF's {@code Cursor(offset, reverse, position)}; the position as the client sent it. */
  public record Cursor(int offset, boolean reverse, String position) {}

  private final Cursor cursor;
  private final int pageSize;
  private final Function<T, String> positionOf;
  private final List<T> page;
  private final boolean hasNext;
  private final boolean hasPrevious;
  private String nextPosition;
  private String previousPosition;

  /**
   * DRF's {@code paginate_queryset} once the rows are fetched.
   *
   * @param fetched at most {@code pageSize + 1} rows in the order queried for {@code cursor}: the
   *     list's order, or the reverse one for a reverse cursor; the extra row tells whether more
   *     follow
   * @param positionOf the position of a row, as DRF writes it ({@code str(instance.id)})
   */
  public CursorPagination(
      Cursor cursor, int pageSize, List<T> fetched, Function<T, String> positionOf) {
    this.cursor = cursor;
    this.pageSize = pageSize;
    this.positionOf = positionOf;
    List<T> rows = new ArrayList<>(fetched.subList(0, Math.min(pageSize, fetched.size())));
    boolean hasFollowingPosition = fetched.size() > rows.size();
    String followingPosition =
        hasFollowingPosition ? positionOf.apply(fetched.get(fetched.size() - 1)) : null;
    boolean positioned = cursor.position() != null || cursor.offset() > 0;
    if (cursor.reverse()) {
      Collections.reverse(rows);
      hasNext = positioned;
      hasPrevious = hasFollowingPosition;
      if (hasNext) {
        nextPosition = cursor.position();
      }
      if (hasPrevious) {
        previousPosition = followingPosition;
      }
    } else {
      hasNext = hasFollowingPosition;
      hasPrevious = positioned;
      if (hasNext) {
        nextPosition = followingPosition;
      }
      if (hasPrevious) {
        previousPosition = cursor.position();
      }
    }
    this.page = List.copyOf(rows);
  }

  /** The page's rows, in the list's order. */
  public List<T> page() {
    return page;
  }

  /** DRF's {@code get_next_link}, as the cursor it encodes. */
  public Optional<Cursor> next() {
    if (!hasNext) {
      return Optional.empty();
    }
    String compare =
        !page.isEmpty() && cursor.reverse() && cursor.offset() != 0
            // reversing direction with an offset cursor: the first position is no marker
            ? position(page.size() - 1)
            : nextPosition;
    int offset = 0;
    boolean hasItemWithUniquePosition = false;
    String position = null;
    for (int i = page.size() - 1; i >= 0; i--) {
      position = position(i);
      if (!Objects.equals(position, compare)) {
        hasItemWithUniquePosition = true;
        break;
      }
      compare = position;
      offset++;
    }
    if (!page.isEmpty() && !hasItemWithUniquePosition) {
      if (!hasPrevious) {
        offset = pageSize;
        position = null;
      } else if (cursor.reverse()) {
        offset = 0;
        position = previousPosition;
      } else {
        offset = cursor.offset() + pageSize;
        position = previousPosition;
      }
    }
    if (page.isEmpty()) {
      position = nextPosition;
    }
    return Optional.of(new Cursor(offset, false, position));
  }

  /** DRF's {@code get_previous_link}, as the cursor it encodes. */
  public Optional<Cursor> previous() {
    if (!hasPrevious) {
      return Optional.empty();
    }
    String compare =
        !page.isEmpty() && !cursor.reverse() && cursor.offset() != 0
            ? position(0)
            : previousPosition;
    int offset = 0;
    boolean hasItemWithUniquePosition = false;
    String position = null;
    for (int i = 0; i < page.size(); i++) {
      position = position(i);
      if (!Objects.equals(position, compare)) {
        hasItemWithUniquePosition = true;
        break;
      }
      compare = position;
      offset++;
    }
    if (!page.isEmpty() && !hasItemWithUniquePosition) {
      if (!hasNext) {
        offset = pageSize;
        position = null;
      } else if (cursor.reverse()) {
        offset = cursor.offset() + pageSize;
        position = nextPosition;
      } else {
        offset = 0;
        position = nextPosition;
      }
    }
    if (page.isEmpty()) {
      position = previousPosition;
    }
    return Optional.of(new Cursor(offset, true, position));
  }

  private String position(int index) {
    return positionOf.apply(page.get(index));
  }

  /**
   * DRF's {@code decode_cursor}: base64 (Python's lenient decoder), then a query string of which
   * the first {@code o}, {@code r} and {@code p} count; other keys are ignored. Anything Python
   * cannot decode, a negative or non-integer offset, a non-integer {@code r}: 404 {@value
   * #INVALID}. An offset above {@value #OFFSET_CUTOFF} counts as {@value #OFFSET_CUTOFF}.
   */
  public static Cursor decode(String encoded) {
    for (int i = 0; i < encoded.length(); i++) {
      if (encoded.charAt(i) > 0x7f) {
        throw invalid(); // encoded.encode('ascii')
      }
    }
    byte[] bytes = PythonBase64.decode(encoded).orElseThrow(CursorPagination::invalid);
    for (byte b : bytes) {
      if (b < 0) {
        throw invalid(); // .decode('ascii')
      }
    }
    QueryString tokens = QueryString.parse(new String(bytes, StandardCharsets.US_ASCII));
    BigInteger offset =
        PythonInt.parse(tokens.first("o").orElse("0"))
            .filter(o -> o.signum() >= 0)
            .orElseThrow(CursorPagination::invalid);
    BigInteger reverse =
        PythonInt.parse(tokens.first("r").orElse("0")).orElseThrow(CursorPagination::invalid);
    return new Cursor(
        offset.min(BigInteger.valueOf(OFFSET_CUTOFF)).intValue(),
        reverse.signum() != 0,
        tokens.first("p").orElse(null));
  }

  /** DRF's {@code encode_cursor}, without the link around it. */
  public static String encode(Cursor cursor) {
    List<String> tokens = new ArrayList<>(3);
    if (cursor.offset() != 0) {
      tokens.add("o=" + cursor.offset());
    }
    if (cursor.reverse()) {
      tokens.add("r=1");
    }
    if (cursor.position() != null) {
      tokens.add("p=" + QueryString.quotePlus(cursor.position()));
    }
    byte[] query = String.join("&", tokens).getBytes(StandardCharsets.US_ASCII);
    return Base64.getEncoder().encodeToString(query);
  }

  public static ApiError invalid() {
    return ApiError.notFound(INVALID);
  }
}
