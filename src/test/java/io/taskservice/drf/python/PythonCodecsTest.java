package io.taskservice.drf.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PythonCodecsTest {

  /** The cases codec-cases.py recorded from CPython's codecs and Django's charset rule. */
  private static List<JsonObject> recorded() throws IOException {
    return RecordedCases.read("/drf/codec-cases.jsonl");
  }

  @Test
  void everyRecordedCharsetNameFindsThePythonCodec() throws IOException {
    List<String> mismatches = new ArrayList<>();
    int count = 0;
    for (JsonObject c : recorded()) {
      if (!c.containsKey("lookup")) {
        continue;
      }
      count++;
      String expected = c.getString("name");
      String actual = PythonCodecs.lookup(c.getString("lookup")).orElse(null);
      if (expected == null ? actual != null : !expected.equals(actual)) {
        mismatches.add(c.encode() + " got " + actual);
      }
    }
    assertThat(count).isGreaterThan(1000);
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  @Test
  void everyRecordedBodyDecodesOrFailsAsInPython() throws IOException {
    List<String> mismatches = new ArrayList<>();
    int count = 0;
    for (JsonObject c : recorded()) {
      if (!c.containsKey("hex")) {
        continue;
      }
      count++;
      byte[] body = HexFormat.of().parseHex(c.getString("hex"));
      String expected =
          c.containsKey("error") ? "error " + c.getString("error") : c.getString("text");
      String actual;
      try {
        actual = PythonJsonTest.dumps(PythonCodecs.decode(body, c.getString("charset")));
      } catch (PythonCodecs.DecodeError e) {
        actual = "error " + e.getMessage();
      }
      if (!actual.equals(expected)) {
        mismatches.add(c.encode() + "\n    got " + actual);
      }
    }
    assertThat(count).isGreaterThan(1500);
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  @Test
  void anIncompleteSequenceAtTheEndIsDroppedAsDrfsStreamReaderDoes() {
    assertThat(PythonCodecs.decode(new byte[] {'"', 'a', '"', (byte) 0xe2, (byte) 0x82}, "utf-8"))
        .isEqualTo("\"a\"");
  }

  @Test
  void utf16WithoutAByteOrderMarkIsRefused() {
    assertThatThrownBy(() -> PythonCodecs.decode(new byte[] {'1', 0}, "UTF-16"))
        .isInstanceOf(PythonCodecs.DecodeError.class)
        .hasMessage("UTF-16 stream does not start with BOM");
  }

  @Test
  void anUnknownCharsetIsDecodedAsUtf8() {
    assertThat(PythonCodecs.lookup("klingon")).isEmpty();
    assertThat(PythonCodecs.decode(new byte[] {(byte) 0xc3, (byte) 0xa9}, "klingon"))
        .isEqualTo("\u00e9");
    assertThat(PythonCodecs.decode(new byte[] {(byte) 0xc3, (byte) 0xa9}, null))
        .isEqualTo("\u00e9");
  }
}
