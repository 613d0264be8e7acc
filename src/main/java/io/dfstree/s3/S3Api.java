package io.dfstree.s3;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 REST API, path-style ({@code /bucket/key}): authenticates a request (SigV4, or anonymous
 * reads of public buckets), decodes which operation it is, and hands it to {@link ObjectOps},
 * {@link MultipartOps} or the bucket operations here. Every failure is an S3 XML error.
 */
public final class S3Api implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(S3Api.class);

  /**
   * Bucket sub-resources we do not serve (ACLs, policies, versioning...): 501 rather than a wrong
   * answer.
   */
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "acl",
          "policy",
          "versioning",
          "tagging",
          "cors",
          "lifecycle",
          "website",
          "logging",
          "notification",
          "replication",
          "encryption",
          "object-lock",
          "retention",
          "legal-hold",
          "torrent",
          "select",
          "restore",
          "analytics",
          "inventory",
          "metrics",
          "accelerate",
          "requestPayment",
          "ownershipControls",
          "publicAccessBlock",
          "intelligent-tiering",
          "versions",
          "attributes");

  private final S3Context s3;
  private final Map<String, String> secrets;
  private final ObjectOps objects;
  private final MultipartOps multipart;
  private long lastErrorLog;

  public S3Api(S3Context s3, Map<String, String> secrets) {
    this.s3 = s3;
    this.secrets = secrets;
    this.objects = new ObjectOps(s3);
    this.multipart = new MultipartOps(s3);
  }

  @Override
  public void handle(HttpServerRequest req) {
    req.pause(); // bodies flow only once the operation is ready for them
    String requestId = Long.toHexString(ThreadLocalRandom.current().nextLong()).toUpperCase();
    req.response()
        .putHeader("x-amz-request-id", requestId)
        .putHeader("Server", "DistributedFSTree");
    Future<Void> done;
    try {
      done = dispatch(req);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onFailure(err -> fail(req, err, requestId));
  }

  private Future<Void> dispatch(HttpServerRequest req) {
    String raw = req.path();
    if (raw == null || !raw.startsWith("/")) {
      throw new S3Exception(400, "InvalidURI", "Couldn't parse the specified URI");
    }
    int slash = raw.indexOf('/', 1);
    String bucket = S3Uri.percentDecode(slash < 0 ? raw.substring(1) : raw.substring(1, slash));
    String key =
        slash < 0 || slash == raw.length() - 1
            ? null
            : S3Uri.percentDecode(raw.substring(slash + 1));
    SigV4.Verified auth = authenticate(req);
    HttpMethod m = req.method();
    if (bucket.isEmpty()) {
      if (m == HttpMethod.GET) {
        requireSigned(auth);
        return listBuckets(req);
      }
      throw new S3Exception(
          405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    S3Names.checkBucket(bucket);
    if (auth == null) {
      // anonymous: reads of public buckets only
      boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
      if (!read
          || !s3.options.publicBuckets().contains(bucket)
          || req.params().contains("uploads")
          || req.params().contains("uploadId")) {
        throw S3Exception.accessDenied("Access Denied");
      }
    }
    for (String sub : req.params().names()) {
      if (UNSUPPORTED.contains(sub)) {
        throw S3Exception.notImplemented("The '" + sub + "' sub-resource");
      }
    }
    if (key == null) {
      return bucketOp(req, m, bucket);
    }
    S3Names.checkKey(key);
    String uploadId = req.getParam("uploadId");
    if (m == HttpMethod.PUT) {
      if (uploadId != null) {
        return multipart.uploadPart(req, auth, bucket, key, uploadId);
      }
      if (req.getHeader("x-amz-copy-source") != null) {
        return objects.copy(req, bucket, key);
      }
      return objects.put(req, auth, bucket, key);
    }
    if (m == HttpMethod.GET || m == HttpMethod.HEAD) {
      if (uploadId != null && m == HttpMethod.GET) {
        return multipart.listParts(req, bucket, key, uploadId);
      }
      return objects.get(req, bucket, key);
    }
    if (m == HttpMethod.DELETE) {
      return uploadId != null
          ? multipart.abort(req, bucket, key, uploadId)
          : objects.delete(req, bucket, key);
    }
    if (m == HttpMethod.POST) {
      if (req.params().contains("uploads")) {
        return multipart.create(req, bucket, key);
      }
      if (uploadId != null) {
        return multipart.complete(req, bucket, key, uploadId);
      }
    }
    throw new S3Exception(
        405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  private SigV4.Verified authenticate(HttpServerRequest req) {
    SigV4.Request r =
        new SigV4.Request(
            req.method().name(),
            req.path(),
            req.query(),
            name -> {
              List<String> all = req.headers().getAll(name);
              return all.isEmpty() ? null : String.join(",", all);
            });
    return SigV4.isSigned(r) ? SigV4.verify(r, secrets, Instant.now()) : null;
  }

  private static void requireSigned(SigV4.Verified auth) {
    if (auth == null) {
      throw S3Exception.accessDenied("Access Denied");
    }
  }

  // ---- buckets
  // ---------------------------------------------------------------------------------------

  private Future<Void> bucketOp(HttpServerRequest req, HttpMethod m, String bucket) {
    HttpServerResponse resp = req.response();
    if (m == HttpMethod.PUT) {
      // the body, if any, is a CreateBucketConfiguration naming a region: read and ignored
      return S3Context.smallBody(req)
          .compose(b -> s3.names.createBucket(bucket, System.currentTimeMillis()))
          .map(
              v -> {
                resp.putHeader("Location", "/" + bucket).end();
                return null;
              });
    }
    if (m == HttpMethod.HEAD) {
      return s3.requireBucket(bucket)
          .map(
              b -> {
                resp.putHeader("x-amz-bucket-region", s3.options.region()).end();
                return null;
              });
    }
    if (m == HttpMethod.DELETE) {
      return s3.names
          .deleteBucket(bucket)
          .map(
              v -> {
                s3.bucketGone(bucket);
                resp.setStatusCode(204).end();
                return null;
              });
    }
    if (m == HttpMethod.POST && req.params().contains("delete")) {
      return objects.deleteMany(req, bucket);
    }
    if (m == HttpMethod.GET) {
      if (req.params().contains("location")) {
        return s3.requireBucket(bucket)
            .map(
                b -> {
                  String region =
                      s3.options.region().equals("us-east-1") ? null : s3.options.region();
                  S3Context.xml(
                      resp,
                      200,
                      S3Xml.root("LocationConstraint")
                          .done()
                          .replace(
                              "</LocationConstraint>",
                              (region == null ? "" : region) + "</LocationConstraint>"));
                  return null;
                });
      }
      if (req.params().contains("uploads")) {
        return multipart.listUploads(req, bucket);
      }
      return listObjects(req, bucket);
    }
    throw new S3Exception(
        405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  private Future<Void> listBuckets(HttpServerRequest req) {
    return s3.names
        .listBuckets()
        .map(
            buckets -> {
              S3Xml x =
                  S3Xml.root("ListAllMyBucketsResult")
                      .start("Owner")
                      .el("ID", "dfstree")
                      .el("DisplayName", "dfstree")
                      .end()
                      .start("Buckets");
              for (NamespaceStore.Bucket b : buckets) {
                x.start("Bucket")
                    .el("Name", b.name())
                    .el("CreationDate", S3Xml.time(b.createdMillis()))
                    .end();
              }
              S3Context.xml(req.response(), 200, x.end().done());
              return null;
            });
  }

  private Future<Void> listObjects(HttpServerRequest req, String bucket) {
    boolean v2 = "2".equals(req.getParam("list-type"));
    String prefix = req.getParam("prefix", "");
    String delimiter = req.getParam("delimiter");
    boolean urlEncode = "url".equals(req.getParam("encoding-type"));
    int max = MultipartOps.intParam(req, "max-keys", 1000, 1000);
    String token = v2 ? req.getParam("continuation-token") : null;
    String after = v2 ? req.getParam("start-after") : req.getParam("marker");
    ObjectListing.Scanner scanner =
        (from, inclusive, limit) -> s3.names.scan(bucket, from, inclusive, limit);
    return s3.requireBucket(bucket)
        .compose(b -> ObjectListing.list(scanner, prefix, delimiter, token, after, max))
        .map(
            page -> {
              S3Xml x =
                  S3Xml.root("ListBucketResult")
                      .el("Name", bucket)
                      .el("Prefix", enc(prefix, urlEncode));
              if (v2) {
                x.el("StartAfter", after == null ? null : enc(after, urlEncode))
                    .el("ContinuationToken", token)
                    .el("KeyCount", page.objects().size() + page.commonPrefixes().size());
              } else {
                x.el("Marker", after == null ? "" : enc(after, urlEncode));
              }
              x.el("MaxKeys", max)
                  .el("Delimiter", delimiter == null ? null : enc(delimiter, urlEncode))
                  .el("EncodingType", urlEncode ? "url" : null)
                  .el("IsTruncated", page.truncated());
              if (page.truncated()) {
                if (v2) {
                  x.el("NextContinuationToken", page.nextToken());
                } else if (delimiter != null) {
                  x.el("NextMarker", enc(page.lastItem(), urlEncode));
                }
              }
              for (NamespaceStore.ObjectEntry e : page.objects()) {
                x.start("Contents")
                    .el("Key", enc(e.key(), urlEncode))
                    .el("LastModified", S3Xml.time(e.modifiedMillis()))
                    .el("ETag", S3Context.quoted(e.etag()))
                    .el("Size", e.size())
                    .el("StorageClass", "STANDARD")
                    .end();
              }
              for (String cp : page.commonPrefixes()) {
                x.start("CommonPrefixes").el("Prefix", enc(cp, urlEncode)).end();
              }
              S3Context.xml(req.response(), 200, x.done());
              return null;
            });
  }

  private static String enc(String s, boolean url) {
    return url ? S3Uri.uriEncode(s, false) : s;
  }

  // ---- errors
  // ----------------------------------------------------------------------------------------

  private void fail(HttpServerRequest req, Throwable err, String requestId) {
    S3Exception e = toS3(err);
    HttpServerResponse resp = req.response();
    if (e.status() >= 500 && e.status() != 501) {
      long now = System.currentTimeMillis();
      if (now - lastErrorLog > 5000) { // rate-limited: one bad client must not flood the log
        lastErrorLog = now;
        LOG.warn(
            "s3 {} {}: {} {}",
            req.method(),
            req.path(),
            e.code(),
            e.getMessage(),
            err instanceof S3Exception ? null : err);
      }
    }
    if (resp.ended() || resp.headWritten()) {
      req.connection()
          .close(); // mid-body: the client must not take a truncated object for a whole one
      return;
    }
    String cl = req.getHeader("Content-Length");
    boolean bodyLeft =
        !req.isEnded()
            && (req.headers().contains("Transfer-Encoding")
                || (cl != null && !cl.trim().equals("0")));
    if (bodyLeft) {
      resp.putHeader("Connection", "close"); // we will not read what is left of the body
    }
    resp.setStatusCode(e.status());
    Future<Void> sent;
    if (req.method() == HttpMethod.HEAD || e.status() == 304) {
      sent = resp.end();
    } else {
      resp.putHeader("Content-Type", "application/xml");
      sent = resp.end(S3Xml.error(e, req.path(), requestId));
    }
    if (bodyLeft) {
      sent.onComplete(x -> lingerThenClose(req));
    }
  }

  /** How long, and how many body bytes, an error answer waits for a client still sending. */
  static final long LINGER_MS = 2_000;

  static final long LINGER_BYTES = 1 << 20;

  /**
   * Closes the connection of a request answered with an error before its body was read. Closed at
   * once, a client still sending the body gets a reset from the bytes left unread, and the reset
   * can throw away our answer before the client reads it ("Error writing request body"): so, as
   * Apache's and nginx's lingering close do, read and drop what it still sends, for at most {@link
   * #LINGER_MS} and {@link #LINGER_BYTES}, then close.
   */
  private void lingerThenClose(HttpServerRequest req) {
    long[] dropped = {0};
    long timer = s3.vertx.setTimer(LINGER_MS, t -> req.connection().close());
    Runnable close =
        () -> {
          s3.vertx.cancelTimer(timer);
          req.connection().close();
        };
    try {
      req.exceptionHandler(err -> close.run());
      req.endHandler(v -> close.run());
      req.handler(
          b -> {
            dropped[0] += b.length();
            if (dropped[0] > LINGER_BYTES) {
              close.run();
            }
          });
      req.resume();
    } catch (IllegalStateException ended) { // the body ended meanwhile: nothing left to read
      close.run();
    }
  }

  static S3Exception toS3(Throwable err) {
    Throwable t = StorageServiceBytes.unwrap(err);
    if (t instanceof S3Exception s) {
      return s;
    }
    if (t instanceof FdfsException f) {
      return switch (f.errno()) {
        case Errno.ENOSPC ->
            new S3Exception(
                507,
                "InsufficientStorage",
                "The storage has no room for this object: " + f.getMessage());
        case Errno.EBUSY ->
            new S3Exception(
                503, "ServiceUnavailable", "Please reduce your request rate: " + f.getMessage());
        case Errno.ENOENT ->
            new S3Exception(
                500,
                "InternalError",
                "The object's file is missing from the storage: " + f.getMessage());
        case Errno.EINVAL -> new S3Exception(400, "InvalidRequest", f.getMessage());
        default -> new S3Exception(500, "InternalError", "storage error: " + f.getMessage());
      };
    }
    return S3Exception.internal(t);
  }
}
