package io.taskservice.http.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest the service uses: for tokens (never stored or compared as given) and
 * asset versions.
 */
public final class Sha256 {
  private Sha256() {}

  /** A fresh digest to feed. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** The digest of {@code text} in UTF-8. */
  public static byte[] of(String text) {
    return digest().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The same, as lower-case hex. */
  public static String hex(String text) {
    return HexFormat.of().formatHex(of(text));
  }
}
