package io.taskservice.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PythonTextTest {

  /** The cases float-repr-cases.py recorded from CPython: each float's hex form and its repr. */
  @Test
  void everyRecordedFloatIsWrittenAsPythonsRepr() throws IOException {
    List<String> mismatches = new ArrayList<>();
    int count = 0;
    try (InputStream in =
            PythonTextTest.class.getResourceAsStream("/domain/float-repr-cases.jsonl");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        JsonObject c = new JsonObject(line);
        double value =
            switch (c.getString("in")) {
              case "inf" -> Double.POSITIVE_INFINITY;
              case "-inf" -> Double.NEGATIVE_INFINITY;
              default -> Double.parseDouble(c.getString("in"));
            };
        String actual = PythonText.str(value);
        if (!actual.equals(c.getString("repr"))) {
          mismatches.add(c.encode() + " got " + actual);
        }
        count++;
      }
    }
    assertThat(count).isGreaterThan(4000);
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }

  @Test
  void floatsUsePythonsShortestDigitsAndExponentRules() {
    assertThat(PythonText.str(2e23)).isEqualTo("2e+23");
    assertThat(PythonText.str(5e-324)).isEqualTo("5e-324");
    assertThat(PythonText.str(1e16)).isEqualTo("1e+16");
    assertThat(PythonText.str(1e-5)).isEqualTo("1e-05");
    assertThat(PythonText.str(0.0001)).isEqualTo("0.0001");
    assertThat(PythonText.str(123456789012345.0)).isEqualTo("123456789012345.0");
    assertThat(PythonText.str(-0.0)).isEqualTo("-0.0");
    assertThat(PythonText.str(Double.POSITIVE_INFINITY)).isEqualTo("inf");
  }

  @Test
  void integersAreWrittenInFull() {
    assertThat(PythonText.str(new BigInteger("123456789012345678901234567890")))
        .isEqualTo("123456789012345678901234567890");
    assertThat(PythonText.str(-7L)).isEqualTo("-7");
  }
}
