package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Requests no SDK would send: path tricks, lies about sizes and digests, malformed XML and
 * signatures.
 */
class S3BadInputTest {
  static S3Node node;
  static S3Client s3;
  static RawS3 raw;

  @BeforeAll
  static void start() throws Exception {
    node = S3Node.start(c -> c.put("maxObjectBytes", "1M"));
    s3 = node.client();
    raw = new RawS3(node.port, S3Node.ACCESS_KEY, S3Node.SECRET_KEY);
    s3.createBucket(b -> b.bucket("bad"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (s3 != null) {
      s3.close();
    }
    if (node != null) {
      node.close();
    }
  }

  static RawS3.Response put(String target, byte[] body) throws Exception {
    return raw.send("PUT", target, Map.of(), body, true);
  }

  static void assertError(RawS3.Response r, int status, String code) {
    assertEquals(status, r.status(), r.toString());
    assertEquals(code, r.code(), r.toString());
    assertTrue(r.body().contains("<Message>"), "an S3 error says why: " + r.body());
  }

  static java.util.List<String> keys() {
    return s3.listObjectsV2(b -> b.bucket("bad")).contents().stream().map(S3Object::key).toList();
  }

  @Test
  void pathTricksInKeysAndBuckets() throws Exception {
    byte[] x = "x".getBytes(StandardCharsets.UTF_8);
    assertError(put("/bad/../escape", x), 400, "InvalidArgument");
    assertError(put("/bad/a/%2e%2e/b", x), 400, "InvalidArgument");
    assertError(put("/bad/a/%2E%2e", x), 400, "InvalidArgument");
    assertError(put("/bad/./here", x), 400, "InvalidArgument");
    assertError(put("/bad/nul%00byte", x), 400, "InvalidArgument");
    assertError(put("/bad/bad%zzescape", x), 400, "InvalidURI");
    assertError(put("/bad/not-utf8-%ff%fe", x), 400, "InvalidURI");
    assertError(put("/bad/" + "k".repeat(1025), x), 400, "KeyTooLongError");
    assertError(
        put("/bad/" + "%C3%A9".repeat(513), x),
        400,
        "KeyTooLongError"); // 1026 UTF-8 bytes in 513 characters
    assertError(
        raw.send("GET", "/../../etc/passwd", Map.of(), null, true), 400, "InvalidBucketName");
    assertError(
        raw.send("PUT", "/Bad_Bucket", Map.of(), new byte[0], true), 400, "InvalidBucketName");
    assertError(raw.send("GET", "/%2e%2e/passwd", Map.of(), null, true), 400, "InvalidBucketName");
    assertTrue(keys().isEmpty(), "nothing was stored: " + keys());
    // a key that only looks like a trick is fine
    assertEquals(200, put("/bad/a..b/..c/d..", x).status());
    assertEquals("x", s3.getObjectAsBytes(b -> b.bucket("bad").key("a..b/..c/d..")).asUtf8String());
    s3.deleteObject(b -> b.bucket("bad").key("a..b/..c/d.."));
  }

  @Test
  void tooLargeBodiesAreRefusedAndLeaveNothing() throws Exception {
    // announced: refused before the body is read
    RawS3.Response r =
        raw.send(
            "PUT",
            "/bad/big",
            Map.of("content-length", Long.toString(5L << 20)),
            new byte[64 * 1024],
            true);
    assertError(r, 400, "EntityTooLarge");
    // not announced (chunked): refused when the limit is crossed
    byte[] chunked = chunked(new byte[1536 * 1024], 64 * 1024);
    r = raw.send("PUT", "/bad/big-chunked", Map.of("transfer-encoding", "chunked"), chunked, true);
    assertError(r, 400, "EntityTooLarge");
    assertTrue(keys().isEmpty(), keys().toString());
    // just under the limit is fine
    assertEquals(200, put("/bad/fits", new byte[1 << 20]).status());
    s3.deleteObject(b -> b.bucket("bad").key("fits"));
  }

  static byte[] chunked(byte[] data, int chunk) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < data.length; i += chunk) {
      int n = Math.min(chunk, data.length - i);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data, i, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  @Test
  void digestsThatDoNotMatchStoreNothing() throws Exception {
    byte[] body = "the real body".getBytes(StandardCharsets.UTF_8);
    String otherSha = SigV4.hex(SigV4.sha256("another body".getBytes(StandardCharsets.UTF_8)));
    assertError(
        raw.send("PUT", "/bad/sha", Map.of(), body, true, otherSha),
        400,
        "XAmzContentSHA256Mismatch");
    String rightSha = SigV4.hex(SigV4.sha256(body));
    assertEquals(200, raw.send("PUT", "/bad/sha-ok", Map.of(), body, true, rightSha).status());
    assertError(
        raw.send("PUT", "/bad/md5", Map.of("content-md5", "AAAAAAAAAAAAAAAAAAAAAA=="), body, true),
        400,
        "BadDigest");
    assertError(
        raw.send("PUT", "/bad/crc", Map.of("x-amz-checksum-crc32", "AAAAAA=="), body, true),
        400,
        "BadDigest");
    assertEquals(java.util.List.of("sha-ok"), keys());
    s3.deleteObject(b -> b.bucket("bad").key("sha-ok"));
  }

  @Test
  void badSignaturesAndHeaders() throws Exception {
    RawS3 wrong = new RawS3(node.port, S3Node.ACCESS_KEY, "wrong-secret");
    assertError(wrong.send("GET", "/bad", Map.of(), null, true), 403, "SignatureDoesNotMatch");
    RawS3 unknown = new RawS3(node.port, "NOBODY", S3Node.SECRET_KEY);
    assertError(unknown.send("GET", "/bad", Map.of(), null, true), 403, "InvalidAccessKeyId");
    assertError(
        raw.send("GET", "/bad", Map.of("authorization", "AWS4-HMAC-SHA256 garbage"), null, false),
        400,
        "AuthorizationHeaderMalformed");
    assertError(
        raw.send("GET", "/bad", Map.of("authorization", "AWS AKID:c2lnbmF0dXJl"), null, false),
        400,
        "InvalidRequest");
    assertError(raw.send("GET", "/bad", Map.of(), null, false), 403, "AccessDenied");
    assertError(
        raw.send(
            "GET",
            "/bad?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x",
            Map.of(),
            null,
            false),
        400,
        "AuthorizationQueryParametersError");
    assertError(raw.send("GET", "/bad?acl", Map.of(), null, true), 501, "NotImplemented");
  }

  @Test
  void malformedXmlBodies() throws Exception {
    byte[] notXml = "<Delete><Object><Key>a".getBytes(StandardCharsets.UTF_8);
    assertError(raw.send("POST", "/bad?delete", Map.of(), notXml, true), 400, "MalformedXML");
    byte[] xxe =
        ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<Delete><Object><Key>&e;</Key></Object></Delete>")
            .getBytes(StandardCharsets.UTF_8);
    RawS3.Response r = raw.send("POST", "/bad?delete", Map.of(), xxe, true);
    assertError(r, 400, "MalformedXML");
    assertFalse(r.body().contains("root:"), "no external entity was read");
    String upload = s3.createMultipartUpload(b -> b.bucket("bad").key("mp")).uploadId();
    assertError(
        raw.send(
            "POST",
            "/bad/mp?uploadId=" + upload,
            Map.of(),
            "<CompleteMultipartUpload/>".getBytes(),
            true),
        400,
        "MalformedXML");
    assertError(
        raw.send(
            "PUT", "/bad/mp?uploadId=" + upload + "&partNumber=10001", Map.of(), new byte[1], true),
        400,
        "InvalidArgument");
    assertError(
        raw.send("PUT", "/bad/mp?uploadId=nope&partNumber=1", Map.of(), new byte[1], true),
        404,
        "NoSuchUpload");
    s3.abortMultipartUpload(b -> b.bucket("bad").key("mp").uploadId(upload));
    // and the server is still fine
    s3.putObject(b -> b.bucket("bad").key("after"), RequestBody.fromString("still here"));
    assertEquals(
        "still here", s3.getObjectAsBytes(b -> b.bucket("bad").key("after")).asUtf8String());
    s3.deleteObject(b -> b.bucket("bad").key("after"));
  }
}
