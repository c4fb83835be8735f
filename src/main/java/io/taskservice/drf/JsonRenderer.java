package io.taskservice.drf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.taskservice.domain.Task;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** JSON bytes as DRF's {@code JSONRenderer} writes them. */
public final class JsonRenderer {
  // DRF writes JSON with ensure_ascii=False: every character as UTF-8, also those outside the
  // BMP (an emoji is four bytes, not the escaped surrogate pair "\ud83d\ude00" that Jackson
  // writes by default)
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  private JsonRenderer() {}

  /** A JSON value (JsonObject, JsonArray, or what they hold) as bytes. */
  public static Buffer render(Object body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      JacksonCodec.encodeJson(body, generator);
    } catch (IOException e) {
      throw new EncodeException("cannot encode the answer: " + e.getMessage());
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** A task's representation, as the API and the event stream write it. */
  public static Buffer task(Task task) {
    return render(TaskJson.of(task));
  }
}
