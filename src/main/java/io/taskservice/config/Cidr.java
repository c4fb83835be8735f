package io.taskservice.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A network written as CIDR ({@code 10.0.0.0/8}, {@code fd00::/8}), or one address ({@code
 * 192.0.2.7}, {@code ::1}). Only literal addresses: a name is refused, never resolved.
 */
public final class Cidr {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * The network {@code text} names; an {@link IllegalArgumentException} whose message completes
   * "NAME must ..." otherwise.
   */
  public static Cidr parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw invalid(text);
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      String bits = s.substring(slash + 1);
      if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > bytes.length * 8) {
        throw invalid(text);
      }
      prefix = Integer.parseInt(bits);
    }
    return new Cidr(mask(bytes, prefix), prefix, address + "/" + prefix);
  }

  /** Whether {@code address} (a literal IPv4 or IPv6 address) lies in this network. */
  public boolean contains(String address) {
    byte[] bytes = address == null ? null : literal(address.toLowerCase(Locale.ROOT));
    return bytes != null
        && bytes.length == network.length
        && Arrays.equals(mask(bytes, prefix), network);
  }

  @Override
  public String toString() {
    return text;
  }

  /** The address's bytes (4 or 16; a mapped IPv4 address as 4), or null when it is no literal. */
  private static byte[] literal(String address) {
    boolean v4 = IPV4.matcher(address).matches();
    // checked first, so that InetAddress never resolves a name
    if (!v4 && !IPV6.matcher(address).matches()) {
      return null;
    }
    if (v4) {
      for (String part : address.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] masked = bytes.clone();
    for (int i = 0; i < masked.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      masked[i] = (byte) (masked[i] & (0xff << (8 - keep)));
    }
    return masked;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "be comma-separated networks such as 10.0.0.0/8 or fd00::/8 (addresses, not names);"
            + " '"
            + text.trim()
            + "' is not one");
  }
}
