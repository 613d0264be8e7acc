package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.MultipartUpload;
import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.dfstree.s3.NamespaceStore.Part;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Multipart uploads. Each part streams straight into a file of its own; completing writes the part
 * list into the object's row (its manifest) and moves no bytes — a GET reads the parts in order.
 * The ETag is S3's: MD5 of the parts' binary MD5s, "-" and the number of parts.
 */
final class MultipartOps {
  static final int MAX_PARTS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final S3Context s3;

  MultipartOps(S3Context s3) {
    this.s3 = s3;
  }

  Future<Void> create(HttpServerRequest req, String bucket, String key) {
    Map<String, String> meta = S3Context.userMeta(req);
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String uploadId = HexFormat.of().formatHex(id);
    String type = req.getHeader("Content-Type");
    MultipartUpload u =
        new MultipartUpload(
            uploadId,
            bucket,
            key,
            type == null ? ObjectOps.DEFAULT_TYPE : type,
            meta,
            System.currentTimeMillis());
    return s3.names
        .createUpload(u)
        .map(
            v -> {
              S3Context.xml(
                  req.response(),
                  200,
                  S3Xml.root("InitiateMultipartUploadResult")
                      .el("Bucket", bucket)
                      .el("Key", key)
                      .el("UploadId", uploadId)
                      .done());
              return null;
            });
  }

  private Future<MultipartUpload> upload(String uploadId, String bucket, String key) {
    return s3.names
        .upload(uploadId)
        .map(
            found -> {
              MultipartUpload u = found.orElseThrow(() -> S3Exception.noSuchUpload(uploadId));
              if (!u.bucket().equals(bucket) || !u.key().equals(key)) {
                throw S3Exception.noSuchUpload(uploadId);
              }
              return u;
            });
  }

  static int partNumber(String s) {
    try {
      int n = Integer.parseInt(s);
      if (n >= 1 && n <= MAX_PARTS) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw S3Exception.invalidArgument(
        "Part number must be an integer between 1 and " + MAX_PARTS + ", inclusive");
  }

  Future<Void> uploadPart(
      HttpServerRequest req, SigV4.Verified auth, String bucket, String key, String uploadId) {
    int number = partNumber(req.getParam("partNumber"));
    if (req.getHeader("x-amz-copy-source") != null) {
      throw S3Exception.notImplemented("UploadPartCopy");
    }
    long declared = S3Context.payloadLength(req);
    if (declared > s3.options.maxObjectBytes()) {
      throw new S3Exception(
          400,
          "EntityTooLarge",
          "Your proposed part of " + declared + " bytes exceeds the maximum allowed size");
    }
    BodyStream body = s3.body(req, auth, s3.options.maxObjectBytes());
    return upload(uploadId, bucket, key)
        .compose(
            u -> {
              if (req.headers().contains("Expect", "100-continue", true)) {
                req.response().writeContinue();
              }
              return s3.bytes.store(body, declared, S3Names.extension(key));
            })
        .compose(
            fileId ->
                body.md5Hex()
                    .recover(
                        err -> s3.bytes.delete(fileId).transform(x -> Future.failedFuture(err)))
                    .map(etag -> new String[] {fileId, etag}))
        .compose(
            stored -> {
              String fileId = stored[0];
              String etag = stored[1];
              return s3.names
                  .putPart(uploadId, new Part(number, fileId, body.bytes(), etag))
                  .recover(err -> s3.bytes.delete(fileId).transform(x -> Future.failedFuture(err)))
                  .compose(s3::free)
                  .map(
                      v -> {
                        req.response()
                            .putHeader("ETag", S3Context.quoted(etag))
                            .putHeader(ObjectOps.FILE_ID_HEADER, fileId)
                            .end();
                        return null;
                      });
            });
  }

  Future<Void> listParts(HttpServerRequest req, String bucket, String key, String uploadId) {
    int max = intParam(req, "max-parts", 1000, 1000);
    int marker = intParam(req, "part-number-marker", 0, MAX_PARTS);
    return upload(uploadId, bucket, key)
        .compose(u -> s3.names.parts(uploadId))
        .map(
            parts -> {
              List<Part> after = parts.stream().filter(p -> p.number() > marker).toList();
              List<Part> page = after.subList(0, Math.min(max, after.size()));
              S3Xml x =
                  S3Xml.root("ListPartsResult")
                      .el("Bucket", bucket)
                      .el("Key", key)
                      .el("UploadId", uploadId)
                      .el("PartNumberMarker", marker)
                      .el(
                          "NextPartNumberMarker",
                          page.isEmpty() ? marker : page.get(page.size() - 1).number())
                      .el("MaxParts", max)
                      .el("IsTruncated", after.size() > page.size());
              for (Part p : page) {
                x.start("Part")
                    .el("PartNumber", p.number())
                    .el("ETag", S3Context.quoted(p.etag()))
                    .el("Size", p.size())
                    .end();
              }
              S3Context.xml(req.response(), 200, x.done());
              return null;
            });
  }

  Future<Void> complete(HttpServerRequest req, String bucket, String key, String uploadId) {
    return upload(uploadId, bucket, key)
        .compose(
            u ->
                S3Context.smallBody(req)
                    .compose(
                        body -> {
                          ObjectOps.checkContentMd5(req, body);
                          List<S3Xml.CompletedPart> wanted = S3Xml.completeMultipart(body);
                          return s3.names
                              .parts(uploadId)
                              .compose(
                                  stored -> {
                                    ObjectEntry e =
                                        manifest(u, wanted, stored, s3.options.minPartBytes());
                                    return s3.names
                                        .completeUpload(uploadId, e)
                                        .compose(s3::free)
                                        .map(
                                            v -> {
                                              S3Context.xml(
                                                  req.response(),
                                                  200,
                                                  S3Xml.root("CompleteMultipartUploadResult")
                                                      .el("Location", "/" + bucket + "/" + key)
                                                      .el("Bucket", bucket)
                                                      .el("Key", key)
                                                      .el("ETag", S3Context.quoted(e.etag()))
                                                      .done());
                                              return null;
                                            });
                                  });
                        }));
  }

  /** The object a completion asks for, checked against the parts we hold (pure). */
  static ObjectEntry manifest(
      MultipartUpload u, List<S3Xml.CompletedPart> wanted, List<Part> stored, long minPartBytes) {
    Map<Integer, Part> byNumber = new java.util.HashMap<>();
    stored.forEach(p -> byNumber.put(p.number(), p));
    List<Part> parts = new ArrayList<>();
    int previous = 0;
    MessageDigest md5 = BodyStream.md5();
    long size = 0;
    for (int i = 0; i < wanted.size(); i++) {
      S3Xml.CompletedPart w = wanted.get(i);
      if (w.number() <= previous) {
        throw new S3Exception(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. "
                + "Parts must be ordered by part number.");
      }
      previous = w.number();
      Part p = byNumber.get(w.number());
      if (p == null || !p.etag().equalsIgnoreCase(w.etag())) {
        throw new S3Exception(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found or its ETag did not "
                + "match: part "
                + w.number());
      }
      if (i < wanted.size() - 1 && p.size() < minPartBytes) {
        throw new S3Exception(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed object size: "
                + "part "
                + w.number()
                + " has "
                + p.size()
                + " bytes, parts but the last need "
                + minPartBytes);
      }
      md5.update(HexFormat.of().parseHex(p.etag()));
      size += p.size();
      parts.add(p);
    }
    String etag = HexFormat.of().formatHex(md5.digest()) + "-" + parts.size();
    return new ObjectEntry(
        u.bucket(),
        u.key(),
        "",
        size,
        etag,
        u.contentType(),
        u.meta(),
        System.currentTimeMillis(),
        parts);
  }

  Future<Void> abort(HttpServerRequest req, String bucket, String key, String uploadId) {
    return upload(uploadId, bucket, key)
        .compose(u -> s3.names.abortUpload(uploadId))
        .compose(s3::free)
        .map(
            v -> {
              req.response().setStatusCode(204).end();
              return null;
            });
  }

  Future<Void> listUploads(HttpServerRequest req, String bucket) {
    String prefix = req.getParam("prefix", "");
    return s3.requireBucket(bucket)
        .compose(b -> s3.names.uploads(bucket))
        .map(
            all -> {
              S3Xml x =
                  S3Xml.root("ListMultipartUploadsResult")
                      .el("Bucket", bucket)
                      .el("KeyMarker", "")
                      .el("UploadIdMarker", "")
                      .el("Prefix", prefix)
                      .el("MaxUploads", 1000)
                      .el("IsTruncated", false);
              for (MultipartUpload u : all) {
                if (u.key().startsWith(prefix)) {
                  x.start("Upload")
                      .el("Key", u.key())
                      .el("UploadId", u.uploadId())
                      .el("Initiated", S3Xml.time(u.createdMillis()))
                      .end();
                }
              }
              S3Context.xml(req.response(), 200, x.done());
              return null;
            });
  }

  static int intParam(HttpServerRequest req, String name, int dflt, int max) {
    String v = req.getParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.min(n, max);
    } catch (NumberFormatException e) {
      throw S3Exception.invalidArgument(name + " must be a non-negative integer");
    }
  }
}
