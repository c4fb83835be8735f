package io.taskservice.drf.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class PythonIntTest {
  @Test
  void acceptsWhatPythonIntAccepts() {
    assertThat(PythonInt.parse("42")).contains(BigInteger.valueOf(42));
    assertThat(PythonInt.parse(" 42\n")).contains(BigInteger.valueOf(42));
    assertThat(PythonInt.parse("+7")).contains(BigInteger.valueOf(7));
    assertThat(PythonInt.parse("-7")).contains(BigInteger.valueOf(-7));
    assertThat(PythonInt.parse("1_000")).contains(BigInteger.valueOf(1000));
    assertThat(PythonInt.parse("007")).contains(BigInteger.valueOf(7));
    assertThat(PythonInt.parse("\u0663")).contains(BigInteger.valueOf(3)); // Arabic-Indic three
  }

  @Test
  void rejectsWhatPythonIntRejects() {
    for (String s :
        new String[] {"", " ", "1.0", "1e3", "0x10", "_1", "1_", "1__0", "--1", "abc", "1 2"}) {
      assertThat(PythonInt.parse(s)).as("'%s'", s).isEmpty();
    }
  }

  @Test
  void longsOnlyWhenTheyFit() {
    assertThat(PythonInt.parseLong("9223372036854775807")).contains(Long.MAX_VALUE);
    assertThat(PythonInt.parseLong("9223372036854775808")).isEmpty();
  }
}
