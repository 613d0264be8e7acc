package io.dfstree.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Fixed-width string fields: left-aligned ASCII, NUL padded, no terminator when full. */
public final class Wire {
  private Wire() {}

  public static final int GROUP_NAME_LEN = 16;
  public static final int IP_LEN = 16;

  /** The address field of servers built with IPv6 support. */
  public static final int IPV6_LEN = 46;

  public static final int EXT_LEN = 6;
  public static final int PREFIX_LEN = 16;
  public static final int STORAGE_ID_LEN = 16;

  /** Appends {@code value} as a field of exactly {@code width} bytes (truncated if longer). */
  public static Buffer appendFixed(Buffer b, String value, int width) {
    byte[] bytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(bytes.length, width);
    b.appendBytes(bytes, 0, n);
    for (int i = n; i < width; i++) {
      b.appendByte((byte) 0);
    }
    return b;
  }

  /** Reads a fixed-width field, dropping trailing NULs (and anything after the first NUL). */
  public static String readFixed(Buffer b, int at, int width) {
    int end = at;
    int limit = at + width;
    while (end < limit && b.getByte(end) != 0) {
      end++;
    }
    return b.getString(at, end, "UTF-8").trim();
  }

  /** True when the field is NUL padded ASCII with no NUL in the middle of the value. */
  public static boolean isCleanFixed(Buffer b, int at, int width) {
    boolean seenNul = false;
    for (int i = at; i < at + width; i++) {
      byte c = b.getByte(i);
      if (c == 0) {
        seenNul = true;
      } else if (seenNul) {
        return false;
      }
    }
    return true;
  }

  public static String ascii(Buffer b, int from, int to) {
    return b.getString(from, to, "ISO-8859-1");
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
