package io.dfstree.s3;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A request body as the object's bytes: aws-chunked framing removed (and its chunk signatures
 * checked), MD5 computed for the ETag, and on the way out the checks S3 makes — the signed {@code
 * x-amz-content-sha256}, {@code Content-MD5}, a flexible checksum, the size limit. A failed check
 * ends the stream with an {@link S3Exception} instead of its end, so whatever it was piped into is
 * aborted. Back-pressure passes straight through to the request.
 */
final class BodyStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final AwsChunkedParser chunks;
  private final MessageDigest md5 = md5();
  private final MessageDigest sha256;
  private final String expectedSha256;
  private final String contentMd5;
  private final PayloadChecksum checksum;
  private final String checksumValue;
  private final long max;
  private long bytes;
  private boolean failed;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  /**
   * @param payloadHash x-amz-content-sha256 as signed: a hex SHA-256 is checked; UNSIGNED-PAYLOAD
   *     or the streaming forms are not (chunks check themselves)
   * @param chunks the aws-chunked decoder, or null for a plain body
   * @param checksumHeader a {@code x-amz-checksum-*} header name sent with a plain body, or null
   */
  BodyStream(
      ReadStream<Buffer> source,
      AwsChunkedParser chunks,
      String payloadHash,
      String contentMd5,
      String checksumHeader,
      String checksumValue,
      long max) {
    this.source = source;
    this.chunks = chunks;
    boolean hex =
        payloadHash != null
            && payloadHash.length() == 64
            && payloadHash.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    this.sha256 = hex && chunks == null ? SigV4.sha256() : null;
    this.expectedSha256 = hex ? payloadHash.toLowerCase(java.util.Locale.ROOT) : null;
    this.contentMd5 = contentMd5;
    this.checksum =
        checksumHeader == null || chunks != null ? null : PayloadChecksum.forHeader(checksumHeader);
    this.checksumValue = checksumValue;
    this.max = max;
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The MD5 of the bytes passed, in hex (the single-part ETag); call after the end. */
  String md5Hex() {
    return HexFormat.of().formatHex(md5.digest());
  }

  long bytes() {
    return bytes;
  }

  private void payload(Buffer b) {
    bytes += b.length();
    if (bytes > max) {
      throw new S3Exception(
          400,
          "EntityTooLarge",
          "Your proposed upload exceeds the maximum allowed object size of " + max + " bytes");
    }
    // digest the buffer's own bytes: getBytes() would copy every MiB once per digest
    md5.update(nio(b));
    if (sha256 != null) {
      sha256.update(nio(b));
    }
    if (checksum != null) {
      checksum.update(b);
    }
    Handler<Buffer> h = handler;
    if (h != null) {
      h.handle(b);
    }
  }

  /** A read-only view of the buffer's bytes (no copy for heap buffers). */
  static java.nio.ByteBuffer nio(Buffer b) {
    return ((io.vertx.core.internal.buffer.BufferInternal) b).getByteBuf().nioBuffer();
  }

  private void fail(Throwable t) {
    if (failed) {
      return;
    }
    failed = true;
    source.handler(null);
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(t);
    }
  }

  private void finish() {
    if (failed) {
      return;
    }
    try {
      if (chunks != null) {
        chunks.finish();
      }
      if (sha256 != null && !SigV4.hex(sha256.digest()).equals(expectedSha256)) {
        throw new S3Exception(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      if (contentMd5 != null) {
        String actual = Base64.getEncoder().encodeToString(((MessageDigest) cloneMd5()).digest());
        if (!actual.equals(contentMd5.trim())) {
          throw new S3Exception(
              400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
        }
      }
      if (checksum != null) {
        checksum.check(checksumValue);
      }
    } catch (S3Exception e) {
      fail(e);
      return;
    }
    Handler<Void> h = endHandler;
    if (h != null) {
      h.handle(null);
    }
  }

  private Object cloneMd5() {
    try {
      return md5.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public BodyStream handler(Handler<Buffer> h) {
    this.handler = h;
    if (h == null) {
      source.handler(null);
      return this;
    }
    source.handler(
        raw -> {
          if (failed) {
            return;
          }
          try {
            if (chunks != null) {
              chunks.feed(raw, this::payload);
            } else {
              payload(raw);
            }
          } catch (S3Exception e) {
            fail(e);
          }
        });
    return this;
  }

  @Override
  public BodyStream exceptionHandler(Handler<Throwable> h) {
    this.exceptionHandler = h;
    source.exceptionHandler(h == null ? null : this::fail);
    return this;
  }

  @Override
  public BodyStream endHandler(Handler<Void> h) {
    this.endHandler = h;
    source.endHandler(h == null ? null : v -> finish());
    return this;
  }

  @Override
  public BodyStream pause() {
    source.pause();
    return this;
  }

  @Override
  public BodyStream resume() {
    source.resume();
    return this;
  }

  @Override
  public BodyStream fetch(long amount) {
    source.fetch(amount);
    return this;
  }
}
