package io.taskservice.drf.python;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Cases a script recorded from CPython or the reference DRF: a test resource, one JSON a line. */
public final class RecordedCases {
  private RecordedCases() {}

  public static List<JsonObject> read(String resource) throws IOException {
    List<JsonObject> cases = new ArrayList<>();
    try (InputStream in = RecordedCases.class.getResourceAsStream(resource);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        cases.add(new JsonObject(line));
      }
    }
    return cases;
  }
}
