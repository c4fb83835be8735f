package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.drf.CursorPagination.Cursor;
import java.math.BigInteger;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DRF's cursor algorithm over the ids 1..7, ordering {@code -id}, three per page. The expected
 * pages and cursors were produced by DRF's own {@code CursorPagination} code (3.16) run on the same
 * ids; the rows are selected here as the service's keyset statements select them.
 */
class CursorPaginationTest {
  private static final List<Long> IDS = LongStream.rangeClosed(1, 7).boxed().toList();

  /** What the keyset statements return for a cursor: page size + 1 rows in the query's order. */
  private static List<Long> fetch(Cursor cursor, int pageSize) {
    BigInteger position = cursor.position() == null ? null : new BigInteger(cursor.position());
    return IDS.stream()
        .filter(
            id ->
                position == null
                    || (cursor.reverse()
                        ? BigInteger.valueOf(id).compareTo(position) > 0
                        : BigInteger.valueOf(id).compareTo(position) < 0))
        .sorted(cursor.reverse() ? Comparator.naturalOrder() : Comparator.reverseOrder())
        .skip(cursor.offset())
        .limit(pageSize + 1)
        .toList();
  }

  private static String b64(String raw) {
    return Base64.getEncoder()
        .encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  @ParameterizedTest(name = "[{0}] -> {1} next {2} previous {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "''|7 6 5|cD01|null",
        "p=5|4 3 2|cD0y|cj0xJnA9NA==",
        "r=1&p=5|7 6|cD02|null",
        "o=2|5 4 3|cD0z|bz0xJnI9MSZwPTQ=",
        "o=2&p=6|3 2 1|null|bz0xJnI9MSZwPTI=",
        "o=1&r=1&p=3|7 6 5|bz0xJnA9Ng==|null",
        "r=1|3 2 1|null|cj0xJnA9Mw==",
        "o=1&r=1|4 3 2|bz0xJnA9Mw==|cj0xJnA9NA==",
        "o=2&r=1|5 4 3|bz0xJnA9NA==|cj0xJnA9NQ==",
        "o=5000|''|null|cj0x",
        "p=100|7 6 5|cD01|cj0xJnA9Nw==",
        "r=1&p=0|3 2 1|cD0x|cj0xJnA9Mw==",
        "p=1|''|null|cj0xJnA9MQ==",
        "r=1&p=7|''|cD03|null",
        "r=1&p=6|7|cD03|null",
        "o=1&p=7|5 4 3|cD0z|bz0xJnI9MSZwPTQ=",
        "o=3&r=1&p=2|7 6|bz0xJnA9Nw==|null",
        "p=0|''|null|cj0xJnA9MA==",
        "r=1&p=100|''|cD0xMDA=|null",
        "o=1&r=1&p=7|''|cD03|null",
        "o=6&p=7|''|null|cj0xJnA9Nw=="
      })
  void pagesAndLinksAreDrfs(String raw, String page, String next, String previous) {
    Cursor cursor = CursorPagination.decode(b64(raw));
    CursorPagination<Long> p =
        new CursorPagination<>(cursor, 3, fetch(cursor, 3), id -> Long.toString(id));

    assertThat(p.page().stream().map(String::valueOf).toList())
        .isEqualTo(page.isEmpty() ? List.of() : List.of(page.split(" ")));
    assertThat(p.next().map(CursorPagination::encode).orElse(null)).isEqualTo(next);
    assertThat(p.previous().map(CursorPagination::encode).orElse(null)).isEqualTo(previous);
  }

  @Test
  void decodesOffsetReverseAndPositionTheWayDrfDoes() {
    assertThat(CursorPagination.decode("")).isEqualTo(new Cursor(0, false, null));
    // characters outside base64 are skipped by Python: the first page
    assertThat(CursorPagination.decode("!!!")).isEqualTo(new Cursor(0, false, null));
    assertThat(CursorPagination.decode(b64("o=3&r=1&p=42"))).isEqualTo(new Cursor(3, true, "42"));
    // the first of repeated keys; unknown keys ignored; Python's int()
    assertThat(CursorPagination.decode(b64("p=9&p=8&x=1&o=+2&r=0")))
        .isEqualTo(new Cursor(2, false, "9"));
    assertThat(CursorPagination.decode(b64("r=2"))).isEqualTo(new Cursor(0, true, null));
    assertThat(CursorPagination.decode(b64("o=1_000_000")))
        .isEqualTo(new Cursor(1000, false, null));
    assertThat(CursorPagination.decode(b64("p=a%20b"))).isEqualTo(new Cursor(0, false, "a b"));
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({
    // not base64 (Python: Incorrect padding)
    "abc",
    // base64 of bytes that are not ASCII
    "gA==",
    "abcd",
    // negative or non-integer offset, non-integer r
    "bz0tMQ==",
    "bz14",
    "bz0=",
    "cj15",
    "cj0="
  })
  void anythingElseIsAnInvalidCursor(String encoded) {
    assertThatThrownBy(() -> CursorPagination.decode(encoded))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(String.valueOf(e.body())).isEqualTo("{\"detail\":\"Invalid cursor\"}");
            });
  }

  @Test
  void aCursorThatIsNotAsciiIsInvalid() {
    assertThatThrownBy(() -> CursorPagination.decode("cD0x\u00e9")).isInstanceOf(ApiError.class);
  }

  @Test
  void encodesLikeDrf() {
    assertThat(CursorPagination.encode(new Cursor(0, false, "23"))).isEqualTo("cD0yMw==");
    assertThat(CursorPagination.encode(new Cursor(1, true, "4"))).isEqualTo("bz0xJnI9MSZwPTQ=");
    assertThat(CursorPagination.encode(new Cursor(0, true, null))).isEqualTo("cj0x");
    assertThat(CursorPagination.encode(new Cursor(0, false, "a b"))).isEqualTo(b64("p=a+b"));
  }
}
