package io.taskservice.drf.python;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Python's {@code base64.b64decode(s)} (non-strict, as DRF decodes cursors): characters outside the
 * alphabet are skipped, a pad sequence ends the input, and only a wrong number of data characters
 * is an error ({@code binascii.Error: Incorrect padding}). So {@code "!!!"} decodes to nothing,
 * while {@code "abc"} is invalid. Follows CPython 3.11's {@code binascii.a2b_base64}.
 */
public final class PythonBase64 {
  private PythonBase64() {}

  /** The decoded bytes; empty when Python raises. {@code ascii} holds only characters < 128. */
  public static Optional<byte[]> decode(String ascii) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ascii.length() * 3 / 4 + 3);
    int quadPos = 0;
    int leftChar = 0;
    int pads = 0;
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (c == '=') {
        // a pad after two or three data characters of a quad ends the input once the quad is full
        if (quadPos >= 2 && quadPos + ++pads >= 4) {
          return Optional.of(out.toByteArray());
        }
        continue;
      }
      int v = value(c);
      if (v < 0) {
        continue;
      }
      pads = 0;
      switch (quadPos) {
        case 0 -> {
          quadPos = 1;
          leftChar = v;
        }
        case 1 -> {
          quadPos = 2;
          out.write((leftChar << 2) | (v >> 4));
          leftChar = v & 0x0f;
        }
        case 2 -> {
          quadPos = 3;
          out.write(((leftChar << 4) | (v >> 2)) & 0xff);
          leftChar = v & 0x03;
        }
        default -> {
          quadPos = 0;
          out.write(((leftChar << 6) | v) & 0xff);
          leftChar = 0;
        }
      }
    }
    return quadPos == 0 ? Optional.of(out.toByteArray()) : Optional.empty();
  }

  private static int value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  }
}
