package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViewsTest {
  @Test
  void allowFollowsTheViewThePathBelongsTo() {
    assertThat(Views.allowFor("/api/v1/tasks/")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks.json")).isEqualTo("GET, POST, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17.api/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/abc/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/.json")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(Views.allowFor("/api/v1/tasks/17/history/")).isEqualTo("GET");
    assertThat(Views.allowFor("/api/v1/stats/")).isEqualTo("GET");
    for (String other :
        new String[] {
          "/",
          "/api/v1/tasksx",
          "/api/v1/tasks//",
          "/api/v1/tasks/1/2",
          "/swagger/",
          "/api/v1/events/",
          "/api/v1/tasks.JSON",
          "/api/v1/.x-y"
        }) {
      assertThat(Views.allowFor(other)).as(other).isNull();
    }
  }

  @Test
  void formatSuffixesAreReadAsDrfsRouterReadsThem() {
    assertThat(Views.match("/api/v1/tasks.json/"))
        .isEqualTo(new Views.View(Views.Kind.LIST, null, "json"));
    assertThat(Views.match("/api/v1/tasks/17.api"))
        .isEqualTo(new Views.View(Views.Kind.DETAIL, "17", "api"));
    assertThat(Views.match("/api/v1/tasks/1.5/"))
        .isEqualTo(new Views.View(Views.Kind.DETAIL, "1", "5"));
    assertThat(Views.match("/api/v1/tasks/1.5.5/"))
        .isEqualTo(new Views.View(Views.Kind.DETAIL, "1.5.5", null));
    assertThat(Views.match("/api/v1/.json"))
        .isEqualTo(new Views.View(Views.Kind.ROOT, null, "json"));
    assertThat(Views.lookup("17.json")).isEqualTo("17");
    assertThat(Views.lookup("17")).isEqualTo("17");
  }

  private static Views.Negotiated select(String path, String accept) {
    int query = path.indexOf('?');
    return Views.select(
        Views.match(query < 0 ? path : path.substring(0, query)),
        accept,
        query < 0 ? null : path.substring(query + 1));
  }

  @Test
  void negotiationPrefersTheMostSpecificMediaTypeThenJson() {
    assertThat(select("/api/v1/tasks/", null).renderer()).isEqualTo(Views.Renderer.JSON);
    assertThat(select("/api/v1/tasks/", "text/html").renderer()).isEqualTo(Views.Renderer.API);
    assertThat(select("/api/v1/tasks/", "text/*").renderer()).isEqualTo(Views.Renderer.API);
    assertThat(select("/api/v1/tasks/", "*/*").renderer()).isEqualTo(Views.Renderer.JSON);
    // q values are ignored; of equally specific types JSON comes first
    assertThat(select("/api/v1/tasks/", "text/html;q=1, application/json;q=0.1").renderer())
        .isEqualTo(Views.Renderer.JSON);
    // a parameter other than q makes a type more specific
    assertThat(select("/api/v1/tasks/", "application/json, text/html;level=1").renderer())
        .isEqualTo(Views.Renderer.API);
    assertThat(
            select(
                    "/api/v1/tasks/",
                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .renderer())
        .isEqualTo(Views.Renderer.API);
  }

  @Test
  void formatsWinOverAcceptOrMakeIt406() {
    assertThat(select("/api/v1/tasks/?format=api", null).renderer()).isEqualTo(Views.Renderer.API);
    assertThat(select("/api/v1/tasks.json?format=api", "*/*").renderer())
        .isEqualTo(Views.Renderer.JSON);
    assertThat(select("/api/v1/tasks/?format=", "text/html").renderer())
        .isEqualTo(Views.Renderer.API);
    assertThatThrownBy(() -> select("/api/v1/tasks/?format=json", "text/html"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(406));
    assertThatThrownBy(() -> select("/api/v1/tasks/?format=xml", null))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> select("/api/v1/tasks/", "application/xml, text/plain"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(406));
    assertThatThrownBy(() -> select("/api/v1/tasks/", ""))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(406));
  }

  @Test
  void theIndentOfTheAcceptedTypeIsDrfsJsonIndent() {
    assertThat(select("/api/v1/tasks/", "application/json; indent=4").indent(null)).isEqualTo(4);
    assertThat(select("/api/v1/tasks/", "*/*; indent=2").indent(null)).isEqualTo(2);
    assertThat(select("/api/v1/tasks/", "application/json; indent=20").indent(null)).isEqualTo(8);
    assertThat(select("/api/v1/tasks/", "application/json; indent=0").indent(4)).isNull();
    assertThat(select("/api/v1/tasks/", "application/json; indent=x").indent(null)).isNull();
    assertThat(select("/api/v1/tasks/", "text/html").indent(4)).isEqualTo(4);
  }
}
