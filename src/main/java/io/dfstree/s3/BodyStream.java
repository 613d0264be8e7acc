package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

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
  private final io.vertx.core.Context context;

  /** Every digest of the body, run off the event loop ({@link DigestLane}). */
  private final DigestLane digests;

  /** The MD5 once every byte is in; made at the end (or when asked, if earlier). */
  private CompletableFuture<byte[]> md5Result;

  private long bytes;
  private boolean failed;

  /** Paused by the pipe (the write side is full), by the digests (too far behind), or both. */
  private boolean pausedByReader;

  private boolean pausedByDigests;
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
    this(source, chunks, payloadHash, contentMd5, checksumHeader, checksumValue, max, DigestLane.POOL);
  }

  /** As above, with the digests run on {@code digestPool} (tests hold it to see back-pressure). */
  BodyStream(
      ReadStream<Buffer> source,
      AwsChunkedParser chunks,
      String payloadHash,
      String contentMd5,
      String checksumHeader,
      String checksumValue,
      long max,
      java.util.concurrent.Executor digestPool) {
    this.digests = new DigestLane(digestPool, this::digest);
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
    this.context = io.vertx.core.Vertx.currentContext();
  }

  /** Bytes a body may have given to its digests and not had digested yet before it is paused. */
  static final long MAX_UNDIGESTED = 4L * 1024 * 1024;

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The MD5 of the bytes passed, in hex (the single-part ETag), on the caller's context; ask after
   * the end.
   */
  Future<String> md5Hex() {
    io.vertx.core.Context here = io.vertx.core.Vertx.currentContext();
    CompletableFuture<byte[]> d = md5Digest();
    return (here == null ? Future.fromCompletionStage(d) : Future.fromCompletionStage(d, here))
        .map(md5 -> HexFormat.of().formatHex(md5));
  }

  private CompletableFuture<byte[]> md5Digest() {
    if (md5Result == null) {
      md5Result = digests.after(md5::digest);
    }
    return md5Result;
  }

  /** One chunk through every digest, on the lane (each gets its own view of the bytes). */
  private void digest(java.nio.ByteBuffer b) {
    md5.update(b.duplicate());
    if (sha256 != null) {
      sha256.update(b.duplicate());
    }
    if (checksum != null) {
      checksum.update(b.duplicate());
    }
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
    // the buffer's own bytes (no copy), read-only and shared with the file write that follows
    digests.update(nio(b));
    if (!pausedByDigests && digests.queuedBytes() > MAX_UNDIGESTED) {
      // the digests fell behind the socket and the disk: hold the body until they catch up,
      // or a large object would wait in memory for its digest
      pausedByDigests = true;
      source.pause();
      digests
          .after(() -> null)
          .thenRun(
              () ->
                  onContext(
                      () -> {
                        pausedByDigests = false;
                        if (!pausedByReader) {
                          source.resume();
                        }
                      }));
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
    } catch (S3Exception e) {
      fail(e);
      return;
    }
    if (sha256 == null && contentMd5 == null && checksum == null) {
      // nothing to check: the MD5 (ETag) is awaited by whoever asks for it; its last chunks go to
      // the digest pool now, from this event loop, not when (and where) it is asked for
      md5Digest();
      end();
      return;
    }
    md5Digest().thenRun(() -> onContext(this::checkThenEnd));
  }

  /** The body's checks, once every byte is digested: the stream ends, or fails with the first. */
  private void checkThenEnd() {
    if (failed) {
      return;
    }
    try {
      if (sha256 != null && !SigV4.hex(sha256.digest()).equals(expectedSha256)) {
        throw new S3Exception(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      if (contentMd5 != null) {
        String actual = Base64.getEncoder().encodeToString(md5Result.join());
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
    end();
  }

  private void end() {
    Handler<Void> h = endHandler;
    if (h != null) {
      h.handle(null);
    }
  }

  /** Runs {@code r} on the body's event loop (where it was made), or at once without one. */
  private void onContext(Runnable r) {
    if (context == null) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
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
    pausedByReader = true;
    source.pause();
    return this;
  }

  @Override
  public BodyStream resume() {
    pausedByReader = false;
    if (!pausedByDigests) {
      source.resume();
    }
    return this;
  }

  @Override
  public BodyStream fetch(long amount) {
    if (!pausedByDigests) {
      source.fetch(amount);
    }
    return this;
  }
}
