package io.taskservice.drf.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Python 3.11's {@code base64.b64decode(s)}: the expected bytes were printed by Python itself. */
class PythonBase64Test {
  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|''",
        "!!!|''",
        "abcd|69b71d",
        "ab==|69",
        "abc=|69b7",
        "bz0x|6f3d31",
        "bz0xJnI9MQ==|6f3d3126723d31",
        // a pad where no pad may be is skipped, characters outside the alphabet too
        "bz0x=JnI9MQ==|6f3d3126723d31",
        "b=z0x|6f3d31",
        "c D0x Mg==|703d3132",
        // a complete pad sequence ends the input
        "bz==0x|6f",
        "cD0xMg==xx|703d3132",
        "ab=c=|69b7",
        "cD0xMg===|703d3132",
        "====|''",
        "/+/+|ffeffe",
        "-_-_|''"
      })
  void decodesLikePython(String encoded, String hex) {
    assertThat(PythonBase64.decode(encoded))
        .hasValueSatisfying(bytes -> assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(hex));
  }

  @ParameterizedTest(name = "[{0}]")
  @CsvSource({"abc", "a", "ab", "ab=", "ab=c", "bz0xJnI9MQ", "a===", "cD0xMg="})
  void rejectsWhatPythonRejects(String encoded) {
    assertThat(PythonBase64.decode(encoded)).isEmpty();
  }
}
