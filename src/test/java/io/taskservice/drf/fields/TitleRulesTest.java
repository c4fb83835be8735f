package io.taskservice.drf.fields;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TitleRulesTest {
  private static TitleRules.Result check(Object title) {
    Map<String, Object> body = new HashMap<>();
    body.put("title", title);
    return TitleRules.validate(body);
  }

  @Test
  void aMissingTitleIsRequired() {
    assertThat(TitleRules.validate(Map.of("name", "x")).errors())
        .containsExactly("This field is required.");
  }

  @Test
  void nullIsRejected() {
    assertThat(check(null).errors()).containsExactly("This field may not be null.");
  }

  @Test
  void titlesAreTrimmedAndMayNotBeBlank() {
    assertThat(check("  Process report \n").title()).isEqualTo("Process report");
    assertThat(check("").errors()).containsExactly("This field may not be blank.");
    assertThat(check(" \t\r\n").errors()).containsExactly("This field may not be blank.");
    // Python's str.strip() also removes non-breaking and ideographic spaces
    assertThat(check("\u00a0\u3000").errors()).containsExactly("This field may not be blank.");
    assertThat(check("\u00a0a\u2003").title()).isEqualTo("a");
  }

  @Test
  void numbersAreAcceptedAsTheirPythonText() {
    assertThat(check(12).title()).isEqualTo("12");
    assertThat(check(-7L).title()).isEqualTo("-7");
    assertThat(check(new BigInteger("123456789012345678901234567890")).title())
        .isEqualTo("123456789012345678901234567890");
    assertThat(check(1.5).title()).isEqualTo("1.5");
    assertThat(check(1.0).title()).isEqualTo("1.0");
    assertThat(check(1e16).title()).isEqualTo("1e+16");
    assertThat(check(1.5e-5).title()).isEqualTo("1.5e-05");
    assertThat(check(0.1 + 0.2).title()).isEqualTo("0.30000000000000004");
    assertThat(check(Double.POSITIVE_INFINITY).title()).isEqualTo("inf");
  }

  @Test
  void otherTypesAreNotStrings() {
    for (Object value : new Object[] {true, false, List.of("a"), Map.of("a", 1)}) {
      assertThat(check(value).errors()).as("%s", value).containsExactly("Not a valid string.");
    }
  }

  @Test
  void atMost255CharactersCountedLikePython() {
    assertThat(check("a".repeat(255)).isValid()).isTrue();
    assertThat(check("a".repeat(256)).errors())
        .containsExactly("Ensure this field has no more than 255 characters.");
    // 255 emoji are 510 UTF-16 units but 255 characters
    assertThat(check("😀".repeat(255)).isValid()).isTrue();
    assertThat(check("😀".repeat(256)).isValid()).isFalse();
    // trimming happens before the length check
    assertThat(check(" " + "a".repeat(255) + " ").isValid()).isTrue();
  }

  @Test
  void nulAndLoneSurrogatesAreRejectedTogetherWithLength() {
    assertThat(check("a\0b").errors()).containsExactly("Null characters are not allowed.");
    assertThat(check("a\ud800b").errors())
        .containsExactly("Surrogate characters are not allowed: U+D800.");
    assertThat(check("\0".repeat(300)).errors())
        .containsExactly(
            "Ensure this field has no more than 255 characters.",
            "Null characters are not allowed.");
  }
}
