package io.dfstree.client;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds byte fixtures field by field, so a test reads like the protocol table it checks. */
final class Bytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Bytes of() {
    return new Bytes();
  }

  Bytes i64(long v) {
    out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    return this;
  }

  Bytes i32(int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
    return this;
  }

  Bytes u8(int v) {
    out.write(v);
    return this;
  }

  /** {@code s} NUL padded to {@code width} bytes. */
  Bytes fixed(String s, int width) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    if (b.length > width) {
      throw new IllegalArgumentException(s + " wider than " + width);
    }
    out.writeBytes(b);
    out.writeBytes(new byte[width - b.length]);
    return this;
  }

  Bytes text(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  Bytes raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  /** A request/response header: body length, command, status. */
  Bytes header(long bodyLength, int command, int status) {
    return i64(bodyLength).u8(command).u8(status);
  }

  int size() {
    return out.size();
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
