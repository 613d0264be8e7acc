package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;

/**
 * The console's S3 bucket browser, served over the event bus ({@link
 * io.dfstree.api.Addresses#S3_CONSOLE}) so the console works whether S3 runs in its JVM
 * (all-in-one) or in a storage elsewhere in the cluster. It reads and deletes through the namespace
 * directly (no S3 wire format), but only for a caller who presents a valid S3 access key and
 * secret: the console is no way around S3's keys.
 *
 * <p>Requests: {@code {op: buckets}}, {@code {op: list, bucket, prefix, delimiter, token, max}},
 * {@code {op: head, bucket, key, host}} (with a presigned download URL for {@code host}, the host
 * name the browser reached the console by), {@code {op: delete, bucket, key}}. Failures are replies
 * with the HTTP status as code and S3's error code and message.
 */
final class S3ConsoleService {
  /** How long a download link in the console stays valid. */
  static final int LINK_SECONDS = 900;

  private final S3Context s3;
  private final Map<String, String> secrets;
  private final S3Server.Endpoint endpoint;

  S3ConsoleService(S3Context s3, Map<String, String> secrets, S3Server.Endpoint endpoint) {
    this.s3 = s3;
    this.secrets = secrets;
    this.endpoint = endpoint;
  }

  void handle(Message<JsonObject> m) {
    JsonObject q = m.body() == null ? new JsonObject() : m.body();
    Future<JsonObject> answer;
    try {
      String access = q.getString("accessKey", "");
      String secret = secrets.get(access);
      if (secret == null
          || !MessageDigest.isEqual(
              secret.getBytes(StandardCharsets.UTF_8),
              q.getString("secretKey", "").getBytes(StandardCharsets.UTF_8))) {
        throw new S3Exception(
            403,
            "InvalidAccessKeyId",
            "the S3 access key and secret are not accepted (see the startup banner)");
      }
      answer =
          switch (q.getString("op", "")) {
            case "buckets" -> buckets();
            case "list" -> list(q);
            case "head" -> head(q, access, secret);
            case "delete" -> delete(q);
            default -> throw S3Exception.invalidArgument("unknown op " + q.getString("op"));
          };
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(
        ar -> {
          if (ar.succeeded()) {
            m.reply(ar.result());
          } else {
            S3Exception e = S3Api.toS3(ar.cause());
            m.fail(e.status(), e.code() + ": " + e.getMessage());
          }
        });
  }

  private Future<JsonObject> buckets() {
    return s3.names
        .listBuckets()
        .map(
            all ->
                new JsonObject()
                    .put("endpoint", endpoint.url())
                    .put("namespace", endpoint.namespace())
                    .put(
                        "buckets",
                        new JsonArray(
                            all.stream()
                                .map(
                                    b ->
                                        new JsonObject()
                                            .put("name", b.name())
                                            .put(
                                                "created",
                                                Instant.ofEpochMilli(b.createdMillis()).toString()))
                                .toList())));
  }

  private Future<JsonObject> list(JsonObject q) {
    String bucket = bucket(q);
    String prefix = q.getString("prefix", "");
    String delimiter = q.getString("delimiter", "");
    String token = q.getString("token");
    int max = Math.max(1, Math.min(1000, q.getInteger("max", 100)));
    ObjectListing.Scanner scanner =
        (from, inclusive, limit) -> s3.names.scan(bucket, from, inclusive, limit);
    return s3.requireBucket(bucket)
        .compose(
            b ->
                ObjectListing.list(
                    scanner,
                    prefix,
                    delimiter,
                    token == null || token.isEmpty() ? null : token,
                    null,
                    max))
        .map(
            page ->
                new JsonObject()
                    .put("bucket", bucket)
                    .put("prefix", prefix)
                    .put("delimiter", delimiter)
                    .put(
                        "objects",
                        new JsonArray(
                            page.objects().stream().map(S3ConsoleService::brief).toList()))
                    .put("prefixes", new JsonArray(page.commonPrefixes()))
                    .put("truncated", page.truncated())
                    .put("nextToken", page.truncated() ? page.nextToken() : null));
  }

  private static JsonObject brief(ObjectEntry e) {
    return new JsonObject()
        .put("key", e.key())
        .put("size", e.size())
        .put("etag", e.etag())
        .put("modified", Instant.ofEpochMilli(e.modifiedMillis()).toString())
        .put("fileId", e.multipart() ? null : e.fileId())
        .put("parts", e.parts().size());
  }

  private Future<JsonObject> head(JsonObject q, String access, String secret) {
    String bucket = bucket(q);
    String key = key(q);
    String host = q.getString("host", endpoint.host());
    return s3.names
        .object(bucket, key)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return s3.requireBucket(bucket)
                    .compose(b -> Future.failedFuture(S3Exception.noSuchKey(key)));
              }
              ObjectEntry e = found.get();
              JsonObject meta = new JsonObject();
              e.meta().forEach(meta::put);
              String hostPort = host + ":" + endpoint.port();
              String path = "/" + bucket + "/" + S3Uri.uriEncode(key, false);
              String name = key.substring(key.lastIndexOf('/') + 1);
              String query =
                  SigV4Signer.presignQuery(
                      "GET",
                      hostPort,
                      path,
                      "response-content-disposition="
                          + S3Uri.uriEncode(
                              "attachment; filename=\"" + name.replace("\"", "") + "\"", true),
                      access,
                      secret,
                      endpoint.region(),
                      Instant.now(),
                      LINK_SECONDS);
              return Future.succeededFuture(
                  brief(e)
                      .put("bucket", bucket)
                      .put("contentType", e.contentType())
                      .put("meta", meta)
                      .put("fileIds", new JsonArray(e.fileIds()))
                      .put(
                          "downloadUrl",
                          endpoint.scheme() + "://" + hostPort + path + "?" + query));
            });
  }

  private Future<JsonObject> delete(JsonObject q) {
    String bucket = bucket(q);
    String key = key(q);
    return s3.names
        .deleteObject(bucket, key)
        .compose(
            freed ->
                s3.free(freed)
                    .map(
                        v ->
                            new JsonObject()
                                .put("deleted", !freed.isEmpty())
                                .put("freedFiles", new JsonArray(freed))));
  }

  private static String bucket(JsonObject q) {
    String b = q.getString("bucket", "");
    S3Names.checkBucket(b);
    return b;
  }

  private static String key(JsonObject q) {
    String k = q.getString("key", "");
    S3Names.checkKey(k);
    return k;
  }
}
