package io.dfstree.s3;

import java.nio.charset.StandardCharsets;

/**
 * S3's URI rules, on their own: AWS's URI encoding, S3's percent-decoding (a bad escape or bytes
 * that are not UTF-8 are {@code InvalidURI}) and reading a raw query parameter. The S3 adapter
 * decodes bucket and key with them whether a request is signed or not; {@link SigV4} builds its
 * canonical path and query from them.
 */
public final class S3Uri {
  private S3Uri() {}

  /** A raw query parameter, percent-decoded; null when absent. */
  public static String queryParam(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String p : rawQuery.split("&")) {
      int eq = p.indexOf('=');
      String n = eq < 0 ? p : p.substring(0, eq);
      if (percentDecode(n).equals(name)) {
        return eq < 0 ? "" : percentDecode(p.substring(eq + 1));
      }
    }
    return null;
  }

  /**
   * AWS's URI encoding: unreserved characters as they are, everything else %XX of its UTF-8 bytes.
   */
  public static String uriEncode(String s, boolean encodeSlash) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || (c == '/' && !encodeSlash)) {
        sb.append(c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * Percent-decoding as S3 does it ('+' stays '+' in paths, but is a space in a query); invalid
   * escapes or bytes that are not UTF-8 give {@code InvalidURI}.
   */
  public static String percentDecode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    byte[] out = new byte[s.length() * 3];
    int n = 0;
    byte[] src = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < src.length; i++) {
      byte b = src[i];
      if (b == '%') {
        if (i + 2 >= src.length
            || Character.digit(src[i + 1], 16) < 0
            || Character.digit(src[i + 2], 16) < 0) {
          throw new S3Exception(
              400, "InvalidURI", "Couldn't parse the specified URI: bad percent escape");
        }
        out[n++] = (byte) (Character.digit(src[i + 1], 16) << 4 | Character.digit(src[i + 2], 16));
        i += 2;
      } else {
        out[n++] = b;
      }
    }
    var decoder = StandardCharsets.UTF_8.newDecoder();
    try {
      return decoder.decode(java.nio.ByteBuffer.wrap(out, 0, n)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new S3Exception(400, "InvalidURI", "Couldn't parse the specified URI: not UTF-8");
    }
  }
}
