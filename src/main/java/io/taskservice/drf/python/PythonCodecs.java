package io.taskservice.drf.python;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request body decoded by its charset as DRF's {@code JSONParser} does it, with {@code
 * codecs.getreader(charset)(stream).read()} on CPython 3.11: the same codec for the same name, the
 * same text and the same error messages.
 *
 * <p>Supported: UTF-8 (and {@code utf-8-sig}), UTF-16 and UTF-32 (with a BOM, or little- or
 * big-endian), ASCII, Latin-1 and cp1250 to cp1258, under every name Python gives them. Django
 * keeps a charset only if {@code codecs.lookup} knows it and DRF decodes as UTF-8 otherwise; any
 * other name is decoded as UTF-8 here too, which differs from DRF only for the codecs Python has
 * beyond these.
 *
 * <p>Because DRF reads through a stream reader, which decodes incrementally and keeps an incomplete
 * sequence for a next read that never comes, an incomplete sequence at the very end of the body is
 * dropped without an error (no "unexpected end of data" nor "truncated data"), and {@code utf-16}
 * and {@code utf-32} without a byte order mark are refused rather than read in the machine's order.
 */
public final class PythonCodecs {
  private PythonCodecs() {}

  private enum Codec {
    UTF_8("utf-8"),
    UTF_8_SIG("utf-8-sig"),
    UTF_16("utf-16"),
    UTF_16_LE("utf-16-le"),
    UTF_16_BE("utf-16-be"),
    UTF_32("utf-32"),
    UTF_32_LE("utf-32-le"),
    UTF_32_BE("utf-32-be"),
    ASCII("ascii"),
    LATIN_1("iso8859-1"),
    CP1250("cp1250"),
    CP1251("cp1251"),
    CP1252("cp1252"),
    CP1253("cp1253"),
    CP1254("cp1254"),
    CP1255("cp1255"),
    CP1256("cp1256"),
    CP1257("cp1257"),
    CP1258("cp1258");

    /** {@code codecs.lookup(name).name}. */
    final String pythonName;

    Codec(String pythonName) {
      this.pythonName = pythonName;
    }

    /** The module in Python's {@code encodings} package, a name that finds the codec as well. */
    String module() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The names of {@code encodings.aliases} for these codecs, from codec-aliases.py. */
  private static final Map<String, Codec> ALIASES =
      Map.ofEntries(
          Map.entry("1250", Codec.CP1250),
          Map.entry("1251", Codec.CP1251),
          Map.entry("1252", Codec.CP1252),
          Map.entry("1253", Codec.CP1253),
          Map.entry("1254", Codec.CP1254),
          Map.entry("1255", Codec.CP1255),
          Map.entry("1256", Codec.CP1256),
          Map.entry("1257", Codec.CP1257),
          Map.entry("1258", Codec.CP1258),
          Map.entry("646", Codec.ASCII),
          Map.entry("8859", Codec.LATIN_1),
          Map.entry("ansi_x3.4_1968", Codec.ASCII),
          Map.entry("ansi_x3.4_1986", Codec.ASCII),
          Map.entry("ansi_x3_4_1968", Codec.ASCII),
          Map.entry("cp367", Codec.ASCII),
          Map.entry("cp65001", Codec.UTF_8),
          Map.entry("cp819", Codec.LATIN_1),
          Map.entry("csascii", Codec.ASCII),
          Map.entry("csisolatin1", Codec.LATIN_1),
          Map.entry("ibm367", Codec.ASCII),
          Map.entry("ibm819", Codec.LATIN_1),
          Map.entry("iso646_us", Codec.ASCII),
          Map.entry("iso8859", Codec.LATIN_1),
          Map.entry("iso8859_1", Codec.LATIN_1),
          Map.entry("iso_646.irv_1991", Codec.ASCII),
          Map.entry("iso_8859_1", Codec.LATIN_1),
          Map.entry("iso_8859_1_1987", Codec.LATIN_1),
          Map.entry("iso_ir_100", Codec.LATIN_1),
          Map.entry("iso_ir_6", Codec.ASCII),
          Map.entry("l1", Codec.LATIN_1),
          Map.entry("latin", Codec.LATIN_1),
          Map.entry("latin1", Codec.LATIN_1),
          Map.entry("u16", Codec.UTF_16),
          Map.entry("u32", Codec.UTF_32),
          Map.entry("u8", Codec.UTF_8),
          Map.entry("unicodebigunmarked", Codec.UTF_16_BE),
          Map.entry("unicodelittleunmarked", Codec.UTF_16_LE),
          Map.entry("us", Codec.ASCII),
          Map.entry("us_ascii", Codec.ASCII),
          Map.entry("utf", Codec.UTF_8),
          Map.entry("utf16", Codec.UTF_16),
          Map.entry("utf32", Codec.UTF_32),
          Map.entry("utf8", Codec.UTF_8),
          Map.entry("utf8_ucs2", Codec.UTF_8),
          Map.entry("utf8_ucs4", Codec.UTF_8),
          Map.entry("utf_16be", Codec.UTF_16_BE),
          Map.entry("utf_16le", Codec.UTF_16_LE),
          Map.entry("utf_32be", Codec.UTF_32_BE),
          Map.entry("utf_32le", Codec.UTF_32_LE),
          Map.entry("windows_1250", Codec.CP1250),
          Map.entry("windows_1251", Codec.CP1251),
          Map.entry("windows_1252", Codec.CP1252),
          Map.entry("windows_1253", Codec.CP1253),
          Map.entry("windows_1254", Codec.CP1254),
          Map.entry("windows_1255", Codec.CP1255),
          Map.entry("windows_1256", Codec.CP1256),
          Map.entry("windows_1257", Codec.CP1257),
          Map.entry("windows_1258", Codec.CP1258));

  private static final Map<String, Codec> MODULES = modules();

  /** Each cp125x byte's character; U+FFFE where the code page has none, as in Python's tables. */
  private static final Map<Codec, char[]> CODE_PAGES = codePages();

  private static final byte[] UTF_8_BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

  /**
   * The body's text, or a {@link DecodeError} with Python's message.
   *
   * @param charset the Content-Type's charset parameter, or {@code null} for DRF's default UTF-8
   */
  public static String decode(byte[] body, String charset) {
    Codec codec = charset == null ? Codec.UTF_8 : find(charset).orElse(Codec.UTF_8);
    switch (codec) {
      case UTF_8:
        return utf8(body, 0);
      case UTF_8_SIG:
        return utf8Sig(body);
      case UTF_16:
        return utf16(body);
      case UTF_16_LE:
        return utf16(body, 0, true).text;
      case UTF_16_BE:
        return utf16(body, 0, false).text;
      case UTF_32:
        return utf32(body);
      case UTF_32_LE:
        return utf32(body, 0, true).text;
      case UTF_32_BE:
        return utf32(body, 0, false).text;
      case ASCII:
        return ascii(body);
      case LATIN_1:
        return new String(body, StandardCharsets.ISO_8859_1);
      default:
        return charmap(body, CODE_PAGES.get(codec));
    }
  }

  /**
   * {@code bytes.decode(charset, "replace")}, as Python's {@code unquote} decodes the escaped bytes
   * of a form: what the codec cannot decode becomes U+FFFD (for the UTF-16 and UTF-32 codecs, as
   * the JDK replaces it).
   */
  public static String decodeReplacing(byte[] bytes, String charset) {
    Codec codec = charset == null ? Codec.UTF_8 : find(charset).orElse(Codec.UTF_8);
    switch (codec) {
      case UTF_8:
      case UTF_8_SIG:
        return new String(bytes, StandardCharsets.UTF_8);
      case UTF_16:
        return new String(bytes, StandardCharsets.UTF_16);
      case UTF_16_LE:
        return new String(bytes, StandardCharsets.UTF_16LE);
      case UTF_16_BE:
        return new String(bytes, StandardCharsets.UTF_16BE);
      case UTF_32:
        return new String(bytes, Charset.forName("UTF-32"));
      case UTF_32_LE:
        return new String(bytes, Charset.forName("UTF-32LE"));
      case UTF_32_BE:
        return new String(bytes, Charset.forName("UTF-32BE"));
      case ASCII:
        StringBuilder ascii = new StringBuilder(bytes.length);
        for (byte b : bytes) {
          ascii.append(b < 0 ? '\ufffd' : (char) b);
        }
        return ascii.toString();
      case LATIN_1:
        return new String(bytes, StandardCharsets.ISO_8859_1);
      default:
        char[] table = CODE_PAGES.get(codec);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
          char c = table[b & 0xff];
          out.append(c == '\ufffe' ? '\ufffd' : c);
        }
        return out.toString();
    }
  }

  /**
   * {@code codecs.lookup(charset).name} when the name leads to one of the codecs decoded here;
   * empty for a name Python does not know and for the codecs Python has beyond these.
   */
  public static Optional<String> lookup(String charset) {
    return find(charset).map(codec -> codec.pythonName);
  }

  private static Optional<Codec> find(String charset) {
    String name = normalize(charset);
    Codec codec = ALIASES.get(name);
    if (codec == null) {
      codec = ALIASES.get(name.replace('.', '_'));
    }
    if (codec == null) {
      codec = MODULES.get(name);
    }
    return Optional.ofNullable(codec);
  }

  /**
   * CPython's {@code _Py_normalize_encoding}, which {@code codecs.lookup} applies to the name's
   * UTF-8 bytes: ASCII letters and digits (lower-cased) and dots are kept, every other run becomes
   * one underscore between them. A non-ASCII letter is such a run, not a letter.
   */
  private static String normalize(String charset) {
    StringBuilder out = new StringBuilder(charset.length());
    boolean punctuation = false;
    for (int i = 0; i < charset.length(); i++) {
      char c = charset.charAt(i);
      boolean kept =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.';
      if (!kept) {
        punctuation = true;
        continue;
      }
      if (punctuation && out.length() > 0) {
        out.append('_');
      }
      out.append(Character.toLowerCase(c));
      punctuation = false;
    }
    return out.toString();
  }

  /**
   * {@code encodings.utf_8_sig}'s stream reader: a leading BOM goes, and positions start after it.
   */
  private static String utf8Sig(byte[] body) {
    if (body.length < 3) {
      if (isPrefixOfBom(body)) {
        return ""; // too short to tell a BOM from text: kept for a next read, so dropped
      }
    } else if (body[0] == UTF_8_BOM[0] && body[1] == UTF_8_BOM[1] && body[2] == UTF_8_BOM[2]) {
      return utf8(body, 3);
    }
    return utf8(body, 0);
  }

  private static boolean isPrefixOfBom(byte[] body) {
    for (int i = 0; i < body.length; i++) {
      if (body[i] != UTF_8_BOM[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * CPython's UTF-8 decoder in stream mode ({@code final=False}), from {@code from}; error
   * positions count from there. An error names the lead byte, or the lead byte and the valid
   * continuation bytes before the one that broke the sequence.
   */
  private static String utf8(byte[] b, int from) {
    // well-formed UTF-8 (nearly every body) decodes the same with the JDK's strict decoder, which
    // is many times faster; anything it refuses goes through the step-by-step decoder below for
    // CPython's message and its end-of-input rule
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, from, b.length - from))
          .toString();
    } catch (CharacterCodingException malformed) {
      return utf8Exactly(b, from);
    }
  }

  private static String utf8Exactly(byte[] b, int from) {
    StringBuilder out = new StringBuilder(b.length - from);
    int n = b.length;
    int i = from;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        out.append((char) c);
        i++;
        continue;
      }
      int need;
      int min2 = 0x80; // the range the byte after the lead may take
      int max2 = 0xbf;
      if (c < 0xc2) {
        throw utf8Error(b, from, i, 1, "invalid start byte");
      } else if (c < 0xe0) {
        need = 2;
      } else if (c < 0xf0) {
        need = 3;
        min2 = c == 0xe0 ? 0xa0 : 0x80; // no overlong forms
        max2 = c == 0xed ? 0x9f : 0xbf; // no surrogates
      } else if (c < 0xf5) {
        need = 4;
        min2 = c == 0xf0 ? 0x90 : 0x80; // no overlong forms
        max2 = c == 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
      } else {
        throw utf8Error(b, from, i, 1, "invalid start byte");
      }
      int available = Math.min(need, n - i);
      int cp = c & (0xff >> (need + 1));
      for (int k = 1; k < available; k++) {
        int cont = b[i + k] & 0xff;
        boolean valid = k == 1 ? cont >= min2 && cont <= max2 : cont >= 0x80 && cont <= 0xbf;
        if (!valid) {
          if (k == 1 && c == 0xed && n - i == 2 && cont >= 0xa0 && cont <= 0xbf) {
            // CPython's stream mode takes a cut-off surrogate at the very end as incomplete
            return out.toString();
          }
          throw utf8Error(b, from, i, k, "invalid continuation byte");
        }
        cp = (cp << 6) | (cont & 0x3f);
      }
      if (available < need) {
        return out.toString(); // an incomplete sequence at the end: kept for a next read
      }
      out.appendCodePoint(cp);
      i += need;
    }
    return out.toString();
  }

  private static DecodeError utf8Error(byte[] b, int from, int start, int length, String reason) {
    return DecodeError.of("utf-8", b[start], start - from, start - from + length, reason);
  }

  private record Decoded(String text, int consumed) {}

  /**
   * {@code encodings.utf_16}'s stream reader: the byte order comes from a BOM, or it is refused.
   */
  private static String utf16(byte[] b) {
    int unit = b.length >= 2 ? unit16(b, 0, true) : 0;
    if (unit == 0xfeff) {
      return utf16(b, 2, true).text;
    }
    if (unit == 0xfffe) {
      return utf16(b, 2, false).text;
    }
    // Python decodes in the machine's order (little-endian) first, so its errors come first
    Decoded decoded = utf16(b, 0, true);
    if (decoded.consumed >= 2) {
      throw new DecodeError("UTF-16 stream does not start with BOM");
    }
    return decoded.text;
  }

  private static Decoded utf16(byte[] b, int from, boolean littleEndian) {
    String name = littleEndian ? "utf-16-le" : "utf-16-be";
    StringBuilder out = new StringBuilder(b.length / 2);
    int q = from;
    while (b.length - q >= 2) {
      char ch = unit16(b, q, littleEndian);
      q += 2;
      if (!Character.isSurrogate(ch)) {
        out.append(ch);
        continue;
      }
      if (Character.isLowSurrogate(ch)) {
        throw DecodeError.of(name, b[q - 2], q - 2, q, "illegal encoding");
      }
      if (b.length - q < 2) {
        q -= 2; // a high surrogate at the end: kept for a next read
        break;
      }
      char low = unit16(b, q, littleEndian);
      q += 2;
      if (!Character.isLowSurrogate(low)) {
        throw DecodeError.of(name, b[q - 4], q - 4, q - 2, "illegal UTF-16 surrogate");
      }
      out.append(ch).append(low);
    }
    return new Decoded(out.toString(), q);
  }

  private static char unit16(byte[] b, int at, boolean littleEndian) {
    int first = b[at] & 0xff;
    int second = b[at + 1] & 0xff;
    return (char) (littleEndian ? first | (second << 8) : (first << 8) | second);
  }

  /** {@code encodings.utf_32}'s stream reader, like {@link #utf16(byte[])}. */
  private static String utf32(byte[] b) {
    long unit = b.length >= 4 ? unit32(b, 0, true) : 0;
    if (unit == 0xfeffL) {
      return utf32(b, 4, true).text;
    }
    if (unit == 0xfffe0000L) {
      return utf32(b, 4, false).text;
    }
    Decoded decoded = utf32(b, 0, true);
    if (decoded.consumed >= 4) {
      throw new DecodeError("UTF-32 stream does not start with BOM");
    }
    return decoded.text;
  }

  private static Decoded utf32(byte[] b, int from, boolean littleEndian) {
    String name = littleEndian ? "utf-32-le" : "utf-32-be";
    StringBuilder out = new StringBuilder(b.length / 4);
    int q = from;
    for (; b.length - q >= 4; q += 4) {
      long ch = unit32(b, q, littleEndian);
      if (ch > Character.MAX_CODE_POINT) {
        throw DecodeError.of(name, b[q], q, q + 4, "code point not in range(0x110000)");
      }
      if (ch >= Character.MIN_SURROGATE && ch <= Character.MAX_SURROGATE) {
        throw DecodeError.of(
            name, b[q], q, q + 4, "code point in surrogate code point range(0xd800, 0xe000)");
      }
      out.appendCodePoint((int) ch);
    }
    return new Decoded(out.toString(), q);
  }

  private static long unit32(byte[] b, int at, boolean littleEndian) {
    long value = 0;
    for (int k = 0; k < 4; k++) {
      int shift = littleEndian ? 8 * k : 8 * (3 - k);
      value |= (long) (b[at + k] & 0xff) << shift;
    }
    return value;
  }

  private static String ascii(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] < 0) {
        throw DecodeError.of("ascii", b[i], i, i + 1, "ordinal not in range(128)");
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  private static String charmap(byte[] b, char[] table) {
    StringBuilder out = new StringBuilder(b.length);
    for (int i = 0; i < b.length; i++) {
      char c = table[b[i] & 0xff];
      if (c == '\ufffe') {
        throw DecodeError.of("charmap", b[i], i, i + 1, "character maps to <undefined>");
      }
      out.append(c);
    }
    return out.toString();
  }

  private static Map<String, Codec> modules() {
    Map<String, Codec> modules = new HashMap<>();
    for (Codec codec : Codec.values()) {
      modules.put(codec.module(), codec);
    }
    return Map.copyOf(modules);
  }

  /**
   * The JDK's windows-125x charsets map every byte as Python's cp125x codecs do (the recorded cases
   * check all 256 bytes of each), so the tables are read from them once.
   */
  private static Map<Codec, char[]> codePages() {
    Map<Codec, char[]> pages = new EnumMap<>(Codec.class);
    for (Codec codec : Codec.values()) {
      if (codec.module().startsWith("cp")) {
        pages.put(codec, codePage(Charset.forName("windows-" + codec.module().substring(2))));
      }
    }
    return pages;
  }

  private static char[] codePage(Charset charset) {
    char[] table = new char[256];
    for (int b = 0; b < 256; b++) {
      try {
        table[b] =
            charset
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(new byte[] {(byte) b}))
                .charAt(0);
      } catch (CharacterCodingException e) {
        table[b] = '\ufffe';
      }
    }
    return table;
  }

  /**
   * A body its charset cannot decode: the message is {@code str()} of Python's {@code
   * UnicodeDecodeError} (or {@code UnicodeError}), what DRF writes after "JSON parse error - ".
   */
  public static final class DecodeError extends RuntimeException {
    DecodeError(String message) {
      super(message, null, false, false);
    }

    /** {@code UnicodeDecodeError.__str__}: one byte is shown, a longer range only by position. */
    static DecodeError of(String encoding, byte first, int start, int end, String reason) {
      if (end - start == 1) {
        return new DecodeError(
            String.format(
                "'%s' codec can't decode byte 0x%02x in position %d: %s",
                encoding, first & 0xff, start, reason));
      }
      return new DecodeError(
          String.format(
              "'%s' codec can't decode bytes in position %d-%d: %s",
              encoding, start, end - 1, reason));
    }
  }
}
