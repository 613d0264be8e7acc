package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PutObject, GetObject/HeadObject (Range, conditions), DeleteObject(s), CopyObject. */
final class ObjectOps {
  /** The response header that names the FastDFS file holding a single-part object. */
  static final String FILE_ID_HEADER = "x-dfstree-file-id";

  static final String DEFAULT_TYPE = "binary/octet-stream";

  private final S3Context s3;

  ObjectOps(S3Context s3) {
    this.s3 = s3;
  }

  // ---- PUT
  // -------------------------------------------------------------------------------------------

  Future<Void> put(HttpServerRequest req, SigV4.Verified auth, String bucket, String key) {
    long declared = S3Context.payloadLength(req);
    if (declared > s3.options.maxObjectBytes()) {
      throw new S3Exception(
          400,
          "EntityTooLarge",
          "Your proposed upload of "
              + declared
              + " bytes exceeds the maximum allowed object size of "
              + s3.options.maxObjectBytes()
              + " bytes");
    }
    Map<String, String> meta = S3Context.userMeta(req);
    String type = req.getHeader("Content-Type");
    BodyStream body = s3.body(req, auth, s3.options.maxObjectBytes());
    return s3.bucketProbablyExists(bucket)
        .compose(
            b -> {
              if (req.headers().contains("Expect", "100-continue", true)) {
                req.response().writeContinue();
              }
              return storeWithEtag(body, declared, key);
            })
        .compose(
            stored -> {
              String fileId = stored[0];
              String etag = stored[1];
              ObjectEntry e =
                  new ObjectEntry(
                      bucket,
                      key,
                      fileId,
                      body.bytes(),
                      etag,
                      type == null ? DEFAULT_TYPE : type,
                      meta,
                      System.currentTimeMillis(),
                      List.of());
              return s3.names
                  .putObject(e)
                  .recover(
                      err ->
                          s3.bytes
                              .delete(fileId)
                              .transform(x -> Future.failedFuture(err))) // nothing left behind
                  .compose(s3::free)
                  .map(
                      v -> {
                        req.response()
                            .putHeader("ETag", S3Context.quoted(etag))
                            .putHeader(FILE_ID_HEADER, fileId)
                            .end();
                        return null;
                      });
            });
  }

  // ---- GET / HEAD
  // ------------------------------------------------------------------------------------

  Future<Void> get(HttpServerRequest req, String bucket, String key) {
    return s3.names
        .object(bucket, key)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return s3.requireBucket(bucket)
                    .compose(b -> Future.failedFuture(S3Exception.noSuchKey(key)));
              }
              return serve(req, found.get());
            });
  }

  /**
   * Stores {@code body} as a file and, once its digests have all held, gives {fileId, MD5 ETag}; a
   * body whose checks fail (signed hash, Content-MD5, checksum) leaves no file behind.
   */
  private Future<String[]> storeWithEtag(BodyStream body, long size, String key) {
    return s3.bytes
        .store(body, size, S3Names.extension(key))
        .compose(
            fileId ->
                body.md5Hex()
                    .recover(
                        err -> s3.bytes.delete(fileId).transform(x -> Future.failedFuture(err)))
                    .map(etag -> new String[] {fileId, etag}));
  }

  private Future<Void> serve(HttpServerRequest req, ObjectEntry e) {
    HttpServerResponse resp = req.response();
    String etag = S3Context.quoted(e.etag());
    long modifiedSeconds = e.modifiedMillis() / 1000;
    resp.putHeader("ETag", etag)
        .putHeader("Last-Modified", httpDate(modifiedSeconds))
        .putHeader("Accept-Ranges", "bytes")
        .putHeader("Content-Type", override(req, "response-content-type", e.contentType()));
    String disposition = req.getParam("response-content-disposition");
    if (disposition != null) {
      resp.putHeader("Content-Disposition", disposition);
    }
    String cache = req.getParam("response-cache-control");
    if (cache != null) {
      resp.putHeader("Cache-Control", cache);
    }
    e.meta().forEach((k, v) -> resp.putHeader("x-amz-meta-" + k, v));
    if (e.multipart()) {
      resp.putHeader("x-amz-mp-parts-count", Integer.toString(e.parts().size()));
    } else {
      resp.putHeader(FILE_ID_HEADER, e.fileId());
    }
    // conditions, in RFC 7232's order
    String ifMatch = req.getHeader("If-Match");
    if (ifMatch != null && !etagMatches(ifMatch, etag)) {
      throw new S3Exception(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold: If-Match");
    }
    Long unmodifiedSince = ifMatch == null ? date(req.getHeader("If-Unmodified-Since")) : null;
    if (unmodifiedSince != null && modifiedSeconds > unmodifiedSince) {
      throw new S3Exception(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold: If-Unmodified-Since");
    }
    String ifNoneMatch = req.getHeader("If-None-Match");
    Long modifiedSince = ifNoneMatch == null ? date(req.getHeader("If-Modified-Since")) : null;
    if ((ifNoneMatch != null && etagMatches(ifNoneMatch, etag))
        || (modifiedSince != null && modifiedSeconds <= modifiedSince)) {
      resp.setStatusCode(304).end();
      return Future.succeededFuture();
    }
    long start = 0;
    long length = e.size();
    long[] range = range(req.getHeader("Range"), e.size());
    if (range != null) {
      start = range[0];
      length = range[1] - range[0] + 1;
      resp.setStatusCode(206)
          .putHeader("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + e.size());
    }
    resp.putHeader("Content-Length", Long.toString(length));
    if (req.method() == HttpMethod.HEAD) {
      resp.end();
      return Future.succeededFuture();
    }
    long from = start;
    long n = length;
    if (!e.multipart() && s3.bytes.isLocal(e.fileId())) {
      return s3.bytes
          .locate(e.fileId())
          .compose(loc -> resp.sendFile(loc.path().toString(), loc.offset() + from, n))
          .andThen(ar -> s3.bytes.countDownload(ar.succeeded(), n));
    }
    // parts of a multipart object, or a single-part object stored by another group's endpoint
    List<NamespaceStore.Part> pieces =
        e.multipart()
            ? e.parts()
            : List.of(new NamespaceStore.Part(1, e.fileId(), e.size(), e.etag()));
    PartsStream parts = new PartsStream(s3.vertx, s3.bytes, PartsStream.covering(pieces, from, n));
    return parts.pipeTo(resp).andThen(ar -> s3.bytes.countDownload(ar.succeeded(), n));
  }

  private static String override(HttpServerRequest req, String param, String value) {
    String o = req.getParam(param);
    return o != null ? o : value == null ? DEFAULT_TYPE : value;
  }

  static boolean etagMatches(String header, String etag) {
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag) || c.equals(etag.substring(1, etag.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  static String httpDate(long epochSeconds) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
  }

  /**
   * An HTTP date in seconds; null when absent or not a date (a condition that cannot be read is
   * ignored, as S3 does).
   */
  static Long date(String s) {
    if (s == null) {
      return null;
    }
    try {
      return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n} as [first, last]; null for none (or a
   * form S3 ignores, like several ranges); InvalidRange when it lies outside the object.
   */
  static long[] range(String header, long size) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
      return null;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      long first;
      long last;
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0) {
          throw invalidRange(size);
        }
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(a);
        last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
        if (!b.isEmpty() && Long.parseLong(b) < first) {
          return null; // syntactically invalid: the whole object, as S3 answers
        }
      }
      if (first >= size || size == 0) {
        throw invalidRange(size);
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static S3Exception invalidRange(long size) {
    return new S3Exception(
        416,
        "InvalidRange",
        "The requested range is not satisfiable (the object has " + size + " bytes)");
  }

  // ---- DELETE
  // ----------------------------------------------------------------------------------------

  Future<Void> delete(HttpServerRequest req, String bucket, String key) {
    return s3.names
        .deleteObject(bucket, key)
        .compose(s3::free)
        .map(
            v -> {
              req.response().setStatusCode(204).end();
              return null;
            });
  }

  Future<Void> deleteMany(HttpServerRequest req, String bucket) {
    return s3.requireBucket(bucket)
        .compose(b -> S3Context.smallBody(req))
        .compose(
            body -> {
              checkContentMd5(req, body);
              S3Xml.DeleteRequest d = S3Xml.delete(body);
              S3Xml out = S3Xml.root("DeleteResult");
              Future<Void> chain = Future.succeededFuture();
              for (String key : d.keys()) {
                chain =
                    chain.compose(
                        v -> {
                          try {
                            S3Names.checkKey(key);
                          } catch (S3Exception e) {
                            out.start("Error")
                                .el("Key", key)
                                .el("Code", e.code())
                                .el("Message", e.getMessage())
                                .end();
                            return Future.succeededFuture();
                          }
                          return s3.names
                              .deleteObject(bucket, key)
                              .compose(s3::free)
                              .transform(
                                  ar -> {
                                    if (ar.succeeded()) {
                                      if (!d.quiet()) {
                                        out.start("Deleted").el("Key", key).end();
                                      }
                                    } else {
                                      S3Exception e =
                                          ar.cause() instanceof S3Exception s
                                              ? s
                                              : S3Exception.internal(ar.cause());
                                      out.start("Error")
                                          .el("Key", key)
                                          .el("Code", e.code())
                                          .el("Message", e.getMessage())
                                          .end();
                                    }
                                    return Future.succeededFuture();
                                  });
                        });
              }
              return chain.map(
                  v -> {
                    S3Context.xml(req.response(), 200, out.done());
                    return null;
                  });
            });
  }

  static void checkContentMd5(HttpServerRequest req, byte[] body) {
    String md5 = req.getHeader("Content-MD5");
    if (md5 != null) {
      String actual = java.util.Base64.getEncoder().encodeToString(BodyStream.md5().digest(body));
      if (!actual.equals(md5.trim())) {
        throw new S3Exception(
            400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
      }
    }
  }

  // ---- COPY
  // ------------------------------------------------------------------------------------------

  Future<Void> copy(HttpServerRequest req, String bucket, String key) {
    String[] src = copySource(req.getHeader("x-amz-copy-source"));
    boolean replace = "REPLACE".equalsIgnoreCase(req.getHeader("x-amz-metadata-directive"));
    if (src[0].equals(bucket) && src[1].equals(key) && !replace) {
      throw new S3Exception(
          400,
          "InvalidRequest",
          "This copy request is illegal because it is trying to copy an object to itself "
              + "without changing the object's metadata.");
    }
    Map<String, String> newMeta = S3Context.userMeta(req);
    String newType = req.getHeader("Content-Type");
    return s3.requireBucket(bucket)
        .compose(b -> s3.names.object(src[0], src[1]))
        .compose(
            found -> {
              if (found.isEmpty()) {
                return s3.requireBucket(src[0])
                    .compose(b -> Future.failedFuture(S3Exception.noSuchKey(src[1])));
              }
              ObjectEntry from = found.get();
              String ifMatch = req.getHeader("x-amz-copy-source-if-match");
              if (ifMatch != null && !etagMatches(ifMatch, S3Context.quoted(from.etag()))) {
                throw new S3Exception(
                    412, "PreconditionFailed", "x-amz-copy-source-if-match did not hold");
              }
              List<NamespaceStore.Part> parts =
                  from.multipart()
                      ? from.parts()
                      : List.of(
                          new NamespaceStore.Part(1, from.fileId(), from.size(), from.etag()));
              PartsStream source =
                  new PartsStream(s3.vertx, s3.bytes, PartsStream.covering(parts, 0, from.size()));
              BodyStream body =
                  new BodyStream(source, null, null, null, null, null, Long.MAX_VALUE);
              return storeWithEtag(body, from.size(), key)
                  .compose(
                      stored -> {
                        String fileId = stored[0];
                        String etag = stored[1];
                        ObjectEntry e =
                            new ObjectEntry(
                                bucket,
                                key,
                                fileId,
                                from.size(),
                                etag,
                                replace
                                    ? (newType == null ? DEFAULT_TYPE : newType)
                                    : from.contentType(),
                                replace ? newMeta : from.meta(),
                                System.currentTimeMillis(),
                                List.of());
                        return s3.names
                            .putObject(e)
                            .recover(
                                err ->
                                    s3.bytes
                                        .delete(fileId)
                                        .transform(x -> Future.failedFuture(err)))
                            .compose(s3::free)
                            .map(
                                v -> {
                                  req.response().putHeader(FILE_ID_HEADER, fileId);
                                  S3Context.xml(
                                      req.response(),
                                      200,
                                      S3Xml.root("CopyObjectResult")
                                          .el("LastModified", S3Xml.time(e.modifiedMillis()))
                                          .el("ETag", S3Context.quoted(etag))
                                          .done());
                                  return null;
                                });
                      });
            });
  }

  /** {@code x-amz-copy-source}: "[/]bucket/key[?versionId=..]", URL-encoded. */
  static String[] copySource(String header) {
    String h = header.trim();
    int q = h.indexOf('?');
    if (q >= 0) {
      h = h.substring(0, q);
    }
    h = S3Uri.percentDecode(h);
    if (h.startsWith("/")) {
      h = h.substring(1);
    }
    int slash = h.indexOf('/');
    if (slash <= 0 || slash == h.length() - 1) {
      throw S3Exception.invalidArgument("x-amz-copy-source must be bucket/key");
    }
    String bucket = h.substring(0, slash);
    String key = h.substring(slash + 1);
    S3Names.checkBucket(bucket);
    S3Names.checkKey(key);
    return new String[] {bucket, key};
  }

  static List<String> keysOf(List<ObjectEntry> entries) {
    List<String> out = new ArrayList<>();
    entries.forEach(e -> out.add(e.key()));
    return out;
  }
}
