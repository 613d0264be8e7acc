package io.dfstree.s3;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The flexible checksums newer S3 clients send with a body ({@code x-amz-checksum-crc32} and
 * friends, as a header or an aws-chunked trailer), computed while the bytes pass.
 */
final class PayloadChecksum {
  private final String header;
  private final Checksum crc;
  private final MessageDigest digest;

  private PayloadChecksum(String header, Checksum crc, MessageDigest digest) {
    this.header = header;
    this.crc = crc;
    this.digest = digest;
  }

  /**
   * For a header name like {@code x-amz-checksum-crc32}; null when we do not know the algorithm.
   */
  static PayloadChecksum forHeader(String name) {
    String h = name.toLowerCase(Locale.ROOT).trim();
    try {
      return switch (h) {
        case "x-amz-checksum-crc32" -> new PayloadChecksum(h, new CRC32(), null);
        case "x-amz-checksum-crc32c" -> new PayloadChecksum(h, new CRC32C(), null);
        case "x-amz-checksum-sha1" ->
            new PayloadChecksum(h, null, MessageDigest.getInstance("SHA-1"));
        case "x-amz-checksum-sha256" ->
            new PayloadChecksum(h, null, MessageDigest.getInstance("SHA-256"));
        default -> null;
      };
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String header() {
    return header;
  }

  void update(Buffer b) {
    update(BodyStream.nio(b));
  }

  void update(java.nio.ByteBuffer b) {
    if (crc != null) {
      crc.update(b);
    } else {
      digest.update(b);
    }
  }

  /** Base64 of the checksum, as S3 writes it. */
  String value() {
    if (crc != null) {
      long v = crc.getValue();
      return Base64.getEncoder()
          .encodeToString(
              new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }
    return Base64.getEncoder().encodeToString(digest.digest());
  }

  void check(String expected) {
    String actual = value();
    if (!actual.equals(expected == null ? null : expected.trim())) {
      throw new S3Exception(
          400,
          "BadDigest",
          "The "
              + header
              + " you specified ("
              + expected
              + ") did not match the calculated checksum ("
              + actual
              + ")");
    }
  }
}
