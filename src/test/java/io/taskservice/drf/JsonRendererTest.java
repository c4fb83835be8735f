package io.taskservice.drf;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The expected texts are Python's: DRF's {@code json.dumps} calls, run on the same value. */
class JsonRendererTest {
  private static final JsonObject VALUE =
      new JsonObject()
          .put("id", 1)
          .put("title", "a\u0001\u001b\u007f\u2028\u2029\"\\/\n\t\b\f\r \u00e9\ud83d\ude00")
          .put("n", new JsonArray())
          .put("o", new JsonObject())
          .put(
              "l",
              new JsonArray()
                  .add(1)
                  .add(2.5)
                  .addNull()
                  .add(true)
                  .add(new JsonObject().put("x", new JsonArray())))
          .put("f", 1e16);

  @Test
  void compactJsonIsDrfsByteForByte() {
    String python =
        "{\"id\":1,\"title\":\"a\\u0001\\u001b\u007f\\u2028\\u2029\\\"\\\\/\\n\\t\\b\\f\\r"
            + " \u00e9\ud83d\ude00\",\"n\":[],\"o\":{},\"l\":[1,2.5,null,true,{\"x\":[]}],"
            + "\"f\":1e+16}";
    assertThat(JsonRenderer.render(VALUE).toString(StandardCharsets.UTF_8)).isEqualTo(python);
    // every character as itself in UTF-8, the emoji as four bytes
    assertThat(JsonRenderer.render(new JsonObject().put("t", "\ud83d\ude00")).getBytes())
        .containsExactly('{', '"', 't', '"', ':', '"', 0xf0, 0x9f, 0x98, 0x80, '"', '}');
  }

  @Test
  void indentedJsonIsDrfsWithItsSeparators() {
    String python =
        "{\n    \"id\": 1,\n    \"title\": \"a\\u0001\\u001b\u007f\\u2028\\u2029\\\"\\\\/\\n"
            + "\\t\\b\\f\\r \u00e9\ud83d\ude00\",\n    \"n\": [],\n    \"o\": {},\n    \"l\": [\n"
            + "        1,\n        2.5,\n        null,\n        true,\n        {\n"
            + "            \"x\": []\n        }\n    ],\n    \"f\": 1e+16\n}";
    assertThat(JsonRenderer.text(VALUE, 4)).isEqualTo(python);
  }
}
