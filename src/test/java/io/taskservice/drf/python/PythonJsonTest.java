package io.taskservice.drf.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PythonJsonTest {

  @Test
  void everyRecordedDocumentParsesOrFailsAsInPython() throws IOException {
    List<JsonObject> cases = RecordedCases.read("/drf/json-cases.jsonl");
    List<String> mismatches = new ArrayList<>();
    for (JsonObject c : cases) {
      String input = c.getString("in");
      String expected =
          c.containsKey("error") ? "error " + c.getString("error") : c.getString("value");
      String actual;
      try {
        actual = canonical(PythonJson.parse(input));
      } catch (PythonJson.InvalidJson e) {
        actual = "error " + e.getMessage();
      }
      if (!actual.equals(expected)) {
        mismatches.add(c.encode() + "\n    got " + actual);
      }
    }
    assertThat(cases).hasSizeGreaterThan(700);
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  @Test
  void intsAndFloatsStayApart() {
    assertThat(PythonJson.parse("[1, -0, 1.0, 1e2, 123456789012345678901234567890]"))
        .isEqualTo(
            List.of(
                BigInteger.ONE,
                BigInteger.ZERO,
                1.0,
                100.0,
                new BigInteger("123456789012345678901234567890")));
    assertThat(PythonJson.parse("-0.0")).isEqualTo(-0.0);
    assertThat(PythonJson.parse("[1e400, -1e400]"))
        .isEqualTo(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
  }

  @Test
  void aRepeatedKeyKeepsItsFirstPlaceAndItsLastValue() {
    Object parsed = PythonJson.parse("{\"b\": 1, \"a\": 2, \"b\": 3}");
    assertThat(parsed).isInstanceOf(Map.class);
    assertThat(new ArrayList<Object>(((Map<?, ?>) parsed).keySet())).containsExactly("b", "a");
    assertThat(((Map<?, ?>) parsed).get("b")).isEqualTo(BigInteger.valueOf(3));
  }

  @Test
  void aLoneSurrogateEscapeStaysInTheString() {
    assertThat(PythonJson.parse("\"\\ud800x\"")).isEqualTo("\ud800x");
    assertThat(PythonJson.parse("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
  }

  @Test
  void theOutOfRangeConstantsAreADistinctFailure() {
    assertThatThrownBy(() -> PythonJson.parse("{\"a\": [-Infinity]}"))
        .isInstanceOf(PythonJson.OutOfRangeFloat.class)
        .hasMessage("Out of range float values are not JSON compliant: '-Infinity'")
        .extracting(e -> ((PythonJson.OutOfRangeFloat) e).constant())
        .isEqualTo("-Infinity");
  }

  @Test
  void aDecodeErrorCarriesPythonsFields() {
    assertThatThrownBy(() -> PythonJson.parse("[\n\"\ud83d\ude00\", x]"))
        .isInstanceOfSatisfying(
            PythonJson.JsonDecodeError.class,
            e -> {
              assertThat(e.msg()).isEqualTo("Expecting value");
              assertThat(e.pos()).isEqualTo(7);
              assertThat(e.lineno()).isEqualTo(2);
              assertThat(e.colno()).isEqualTo(6);
            });
  }

  @Test
  void nestingIsAcceptedUpToTheLimitAndRefusedBeyondIt() {
    int depth = PythonJson.MAX_DEPTH;
    assertThat(PythonJson.parse("[".repeat(depth) + "]".repeat(depth))).isInstanceOf(List.class);
    assertThatThrownBy(() -> PythonJson.parse("{\"a\":".repeat(depth + 1) + "1"))
        .isInstanceOf(PythonJson.NestingTooDeep.class)
        .isNotInstanceOf(PythonJson.InvalidJson.class)
        .hasMessage(
            "maximum recursion depth exceeded while decoding a JSON object from a unicode string");
  }

  /** What json-cases.py writes: floats as float.hex(), strings as json.dumps writes them. */
  static String canonical(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Boolean || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof Double d) {
      return floatHex(d);
    }
    if (value instanceof String s) {
      return dumps(s);
    }
    if (value instanceof List<?> list) {
      return list.stream()
          .map(PythonJsonTest::canonical)
          .collect(Collectors.joining(",", "[", "]"));
    }
    return ((Map<?, ?>) value)
        .entrySet().stream()
            .map(e -> dumps((String) e.getKey()) + ":" + canonical(e.getValue()))
            .collect(Collectors.joining(",", "{", "}"));
  }

  /** Python's {@code float.hex()}. */
  static String floatHex(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    long bits = Double.doubleToRawLongBits(d);
    String sign = bits < 0 ? "-" : "";
    int exponent = (int) ((bits >>> 52) & 0x7ff);
    long mantissa = bits & ((1L << 52) - 1);
    if (exponent == 0 && mantissa == 0) {
      return sign + "0x0.0p+0";
    }
    int power = exponent == 0 ? -1022 : exponent - 1023;
    return String.format(
        "%s0x%d.%013xp%s%d", sign, exponent == 0 ? 0 : 1, mantissa, power < 0 ? "" : "+", power);
  }

  /** Python's {@code json.dumps(str)}: ASCII only, every other UTF-16 unit as a \\u escape. */
  static String dumps(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c <= 0x7e) {
            out.append(c);
          } else {
            out.append(String.format("\\u%04x", (int) c));
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
