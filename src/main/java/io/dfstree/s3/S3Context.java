package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the S3 operations share: the namespace, the bytes, the options, and the few answers they all
 * give.
 */
final class S3Context {
  private static final Logger LOG = LoggerFactory.getLogger(S3Context.class);

  /** Largest XML request body read into memory (CompleteMultipartUpload of 10,000 parts fits). */
  static final int MAX_XML_BYTES = 2 * 1024 * 1024;

  /** S3's limit on user metadata: names and values together. */
  static final int MAX_META_BYTES = 2048;

  final Vertx vertx;
  final NamespaceStore names;
  final ObjectBytes bytes;
  final S3Options options;
  private long lastFreeWarning;

  /**
   * Deleted files still to be dropped from the trash; listeners on several event loops add to it.
   */
  private final List<String> forgotten = java.util.Collections.synchronizedList(new ArrayList<>());

  private volatile boolean forgetScheduled;

  S3Context(Vertx vertx, NamespaceStore names, ObjectBytes bytes, S3Options options) {
    this.vertx = vertx;
    this.names = names;
    this.bytes = bytes;
    this.options = options;
  }

  static void xml(HttpServerResponse resp, int status, String body) {
    resp.setStatusCode(status).putHeader("Content-Type", "application/xml").end(body);
  }

  /** Fails with NoSuchBucket when the bucket does not exist. */
  Future<NamespaceStore.Bucket> requireBucket(String bucket) {
    return names.bucket(bucket).map(b -> b.orElseThrow(() -> S3Exception.noSuchBucket(bucket)));
  }

  /** How long a bucket seen to exist is trusted before a PUT's body starts to flow. */
  static final long BUCKET_SEEN_MILLIS = 2_000;

  private final Map<String, Long> bucketsSeen = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The early NoSuchBucket check of a PUT, before its body flows: a bucket seen a moment ago is not
   * looked up again (it cost every PUT a namespace round trip before the first byte). Only a hint:
   * the namespace checks the bucket again in the transaction that records the object, so a PUT into
   * a bucket deleted meanwhile still fails with NoSuchBucket and leaves no file.
   */
  Future<Void> bucketProbablyExists(String bucket) {
    Long seen = bucketsSeen.get(bucket);
    long now = System.currentTimeMillis();
    if (seen != null && now - seen < BUCKET_SEEN_MILLIS) {
      return Future.succeededFuture();
    }
    return requireBucket(bucket)
        .map(
            b -> {
              if (bucketsSeen.size() > 10_000) {
                bucketsSeen.clear();
              }
              bucketsSeen.put(bucket, now);
              return null;
            });
  }

  void bucketGone(String bucket) {
    bucketsSeen.remove(bucket);
  }

  /**
   * Deletes files the namespace let go of (they are in its trash until deleted) and then drops them
   * from the trash; a failure is logged and left for the sweep.
   */
  Future<Void> free(List<String> fileIds) {
    if (fileIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<String>> deletes = new ArrayList<>();
    for (String id : fileIds) {
      deletes.add(
          bytes
              .delete(id)
              .map(id)
              .otherwise(
                  err -> {
                    long now = System.currentTimeMillis();
                    if (now - lastFreeWarning > 10_000) {
                      lastFreeWarning = now;
                      LOG.warn(
                          "s3: cannot delete freed file {} now ({}); the trash sweep retries",
                          id,
                          err.getMessage());
                    }
                    return null;
                  }));
    }
    return Future.join(deletes)
        .transform(
            x -> {
              deletes.stream()
                  .map(Future::result)
                  .filter(java.util.Objects::nonNull)
                  .forEach(forgotten::add);
              if (!forgetScheduled) {
                // one transaction a second for every file deleted meanwhile, not one commit (and
                // fsync) per request;
                // a crash before it only makes the sweep delete those files again (already gone:
                // fine)
                forgetScheduled = true;
                vertx.setTimer(1000, t -> flushForgotten());
              }
              return Future.succeededFuture();
            });
  }

  private Future<Void> flushForgotten() {
    forgetScheduled = false;
    if (forgotten.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> batch = new ArrayList<>(forgotten);
    forgotten.clear();
    return names.forget(batch).otherwise(err -> null);
  }

  /**
   * Deletes what the trash holds (a crash between a commit and its deletes, or a failed delete).
   */
  Future<Integer> sweep() {
    return flushForgotten()
        .compose(v -> names.trash(500))
        .compose(ids -> free(ids).compose(v -> flushForgotten()).map(ids.size()));
  }

  /** The {@code x-amz-meta-*} headers of a request, checked against S3's size limit. */
  static Map<String, String> userMeta(HttpServerRequest req) {
    Map<String, String> meta = new LinkedHashMap<>();
    int size = 0;
    for (Map.Entry<String, String> h : req.headers()) {
      String n = h.getKey().toLowerCase(Locale.ROOT);
      if (n.startsWith("x-amz-meta-")) {
        String name = n.substring("x-amz-meta-".length());
        meta.merge(name, h.getValue(), (a, b) -> a + "," + b);
        size += name.length() + h.getValue().length();
      }
    }
    if (size > MAX_META_BYTES) {
      throw new S3Exception(
          400,
          "MetadataTooLarge",
          "Your metadata headers exceed the maximum allowed metadata size of "
              + MAX_META_BYTES
              + " bytes");
    }
    return meta;
  }

  /** Reads a small request body (XML) into memory, refusing more than {@link #MAX_XML_BYTES}. */
  static Future<byte[]> smallBody(HttpServerRequest req) {
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > MAX_XML_BYTES) {
          return Future.failedFuture(
              new S3Exception(
                  400,
                  "MaxMessageLengthExceeded",
                  "Your request was too big: at most " + MAX_XML_BYTES + " bytes of XML"));
        }
      } catch (NumberFormatException e) {
        return Future.failedFuture(
            new S3Exception(400, "InvalidArgument", "Content-Length is not a number"));
      }
    }
    Promise<byte[]> p = Promise.promise();
    Buffer acc = Buffer.buffer();
    req.handler(
        b -> {
          if (acc.length() + b.length() > MAX_XML_BYTES) {
            req.handler(null);
            p.tryFail(
                new S3Exception(
                    400,
                    "MaxMessageLengthExceeded",
                    "Your request was too big: at most " + MAX_XML_BYTES + " bytes of XML"));
            return;
          }
          acc.appendBuffer(b);
        });
    req.exceptionHandler(p::tryFail);
    req.endHandler(v -> p.tryComplete(acc.getBytes()));
    req.resume();
    return p.future();
  }

  /** A request body with aws-chunked framing and checksums handled (see {@link BodyStream}). */
  BodyStream body(HttpServerRequest req, SigV4.Verified auth, long max) {
    String payload = auth != null ? auth.payloadHash() : req.getHeader("x-amz-content-sha256");
    AwsChunkedParser chunks = null;
    if (payload != null && payload.startsWith("STREAMING-")) {
      String decoded = req.getHeader("x-amz-decoded-content-length");
      chunks =
          new AwsChunkedParser(
              auth,
              payload,
              decoded == null ? -1 : parseLength(decoded),
              req.getHeader("x-amz-trailer"));
    }
    String checksumHeader = null;
    String checksumValue = null;
    for (String h :
        new String[] {
          "x-amz-checksum-crc32",
          "x-amz-checksum-crc32c",
          "x-amz-checksum-sha1",
          "x-amz-checksum-sha256"
        }) {
      if (req.getHeader(h) != null) {
        checksumHeader = h;
        checksumValue = req.getHeader(h);
      }
    }
    return new BodyStream(
        req, chunks, payload, req.getHeader("Content-MD5"), checksumHeader, checksumValue, max);
  }

  /**
   * The payload size of a request: x-amz-decoded-content-length for aws-chunked, else
   * Content-Length; -1 unknown.
   */
  static long payloadLength(HttpServerRequest req) {
    String decoded = req.getHeader("x-amz-decoded-content-length");
    if (decoded != null) {
      return parseLength(decoded);
    }
    String cl = req.getHeader("Content-Length");
    return cl == null ? -1 : parseLength(cl);
  }

  static long parseLength(String s) {
    try {
      long v = Long.parseLong(s.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw S3Exception.invalidArgument("not a length: " + s);
    }
  }

  static String quoted(String etag) {
    return "\"" + etag + "\"";
  }
}
