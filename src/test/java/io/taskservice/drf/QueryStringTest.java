package io.taskservice.drf;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryStringTest {
  @Test
  void aRepeatedKeyAnswersItsLastValue() {
    QueryString q = QueryString.parse("status=new&page=2&status=done");
    assertThat(q.last("status")).contains("done");
    assertThat(q.last("page")).contains("2");
    assertThat(q.last("page_size")).isEmpty();
  }

  @Test
  void decodesLikeUnquotePlus() {
    QueryString q = QueryString.parse("a=x+y&b=%D0%B6&c=%zz&d&e=");
    assertThat(q.last("a")).contains("x y");
    assertThat(q.last("b")).contains("ж");
    assertThat(q.last("c")).contains("%zz");
    assertThat(q.last("d")).contains("");
    assertThat(q.last("e")).contains("");
  }

  @Test
  void readsUnescapedBytesAsUtf8LikeDjango() {
    // "page_size=５" sent unescaped arrives as the three bytes of U+FF15, one character each
    String raw = new String("page_size=５".getBytes(UTF_8), ISO_8859_1);
    assertThat(QueryString.parse(raw).last("page_size")).contains("５");
    assertThat(
            QueryString.parse(new String(new byte[] {'a', '=', (byte) 0xff}, ISO_8859_1)).last("a"))
        .contains("\ufffd");
    assertThat(QueryString.parse("a=%EF%BC%95").last("a")).contains("５");
  }

  @Test
  void rewritesLinksLikeDrfReplaceQueryParam() {
    QueryString q = QueryString.parse("status=new&page_size=5&page=2&zz=a+b");
    assertThat(q.with("page", "3")).isEqualTo("page=3&page_size=5&status=new&zz=a+b");
    assertThat(q.without("page")).isEqualTo("page_size=5&status=new&zz=a+b");
    assertThat(QueryString.parse("page=2").without("page")).isEmpty();
    assertThat(QueryString.parse("t=a&t=b").with("page", "2")).isEqualTo("page=2&t=a&t=b");
  }

  @Test
  void quotesLikeQuotePlus() {
    assertThat(QueryString.quotePlus("a b/ç~_.-")).isEqualTo("a+b%2F%C3%A7~_.-");
  }
}
