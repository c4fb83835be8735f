package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PageNumberPaginationTest {
  private static final String BASE = "http://h/api/v1/tasks/";

  private static PageNumberPagination of(String query) {
    return new PageNumberPagination(QueryString.parse(query));
  }

  @ParameterizedTest
  @CsvSource({
    "'', 20",
    "page_size=5, 5",
    "page_size=+5, 5",
    "page_size=100, 100",
    "page_size=101, 100",
    "page_size=99999999999999999999, 100",
    "page_size=0, 20",
    "page_size=-3, 20",
    "page_size=x, 20",
    "page_size=, 20",
  })
  void pageSizeIsAPositiveIntegerUpToTheMaximumOrElseTheDefault(String query, int size) {
    assertThat(of(query).pageSize()).isEqualTo(size);
  }

  @ParameterizedTest
  @CsvSource({
    "'', 45, 1, 3, 0",
    "page=, 45, 1, 3, 0",
    "page=2, 45, 2, 3, 20",
    "page=last, 45, 3, 3, 40",
    "page=last, 0, 1, 1, 0",
    "page=1, 0, 1, 1, 0",
    "page=2&page_size=10, 11, 2, 2, 10",
  })
  void thePageAskedForOfTheRows(String query, long count, long number, long pages, long offset) {
    assertThat(of(query).page(count))
        .isEqualTo(new PageNumberPagination.Page(count, number, pages, offset));
  }

  @ParameterizedTest
  @CsvSource({
    "'', 0",
    "page=3, 40",
    "page=3&page_size=5, 10",
    "page=last, 0",
    "page=x, 0",
    "page=0, 0",
    "page=99999999999999999999, 0",
  })
  void wherePagesAskedForByNumberStartBeforeTheRowsAreCounted(String query, long offset) {
    assertThat(of(query).requestedOffset()).isEqualTo(offset);
  }

  @ParameterizedTest
  @ValueSource(strings = {"page=0", "page=-1", "page=4", "page=1.5", "page=abc", "page=LAST"})
  void aPageThatDoesNotExistIsInvalid(String query) {
    assertThatThrownBy(() -> of(query).page(45))
        .isInstanceOfSatisfying(
            ApiError.class,
            e ->
                assertThat(e.body())
                    .isEqualTo(new JsonObject().put("detail", PageNumberPagination.INVALID_PAGE)));
  }

  @ParameterizedTest
  @CsvSource({
    "status=new, 1, , " + BASE + "?page=2&status=new",
    "page=2&status=new, 2, " + BASE + "?status=new, " + BASE + "?page=3&status=new",
    "page=3&page_size=20, 3, " + BASE + "?page=2&page_size=20, ",
    "page=last, 3, " + BASE + "?page=2, ",
  })
  void linksKeepTheQueryAndTheFirstPageHasNoPageNumber(
      String query, long number, String previous, String next) {
    PageNumberPagination pagination = of(query);
    JsonArray results = new JsonArray().add(1);
    JsonObject body = pagination.body(BASE, pagination.page(45), results);
    assertThat(body.fieldNames()).containsExactly("count", "next", "previous", "results");
    assertThat(body.getLong("count")).isEqualTo(45);
    assertThat(pagination.page(45).number()).isEqualTo(number);
    assertThat(body.getString("previous")).isEqualTo(previous);
    assertThat(body.getString("next")).isEqualTo(next);
    assertThat(body.getJsonArray("results")).isEqualTo(results);
  }
}
