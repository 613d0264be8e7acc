package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worked examples of AWS's "Signature Version 4 for S3" documentation, and what must fail. */
class SigV4Test {
  static final String AK = "AKIAIOSFODNN7EXAMPLE";
  static final Map<String, String> SECRETS = Map.of(AK, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  static final Instant NOW = Instant.parse("2013-05-24T00:00:30Z");

  static SigV4.Request req(String method, String path, String query, Map<String, String> headers) {
    return new SigV4.Request(method, path, query, headers::get);
  }

  static Map<String, String> getObjectHeaders(String signature) {
    return Map.of(
        "host",
        "examplebucket.s3.amazonaws.com",
        "range",
        "bytes=0-9",
        "x-amz-content-sha256",
        SigV4.EMPTY_SHA256,
        "x-amz-date",
        "20130524T000000Z",
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature="
            + signature);
  }

  @Test
  void headerFormOfTheGetObjectExample() {
    SigV4.Verified v =
        SigV4.verify(
            req(
                "GET",
                "/test.txt",
                null,
                getObjectHeaders(
                    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
            SECRETS,
            NOW);
    assertEquals(AK, v.accessKey());
    assertEquals("20130524/us-east-1/s3/aws4_request", v.scope());
  }

  @Test
  void oneWrongDigitIsSignatureDoesNotMatch() {
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    req(
                        "GET",
                        "/test.txt",
                        null,
                        getObjectHeaders(
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42")),
                    SECRETS,
                    NOW));
    assertEquals("SignatureDoesNotMatch", e.code());
    assertEquals(403, e.status());
    // the same signature over another path does not match either
    e =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    req(
                        "GET",
                        "/test.txu",
                        null,
                        getObjectHeaders(
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
                    SECRETS,
                    NOW));
    assertEquals("SignatureDoesNotMatch", e.code());
  }

  @Test
  void unknownAccessKeyAndSkewedClock() {
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    req(
                        "GET",
                        "/test.txt",
                        null,
                        getObjectHeaders(
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
                    Map.of("SOMEONEELSE", "x"),
                    NOW));
    assertEquals("InvalidAccessKeyId", e.code());
    e =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    req(
                        "GET",
                        "/test.txt",
                        null,
                        getObjectHeaders(
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
                    SECRETS,
                    NOW.plusSeconds(3600)));
    assertEquals("RequestTimeTooSkewed", e.code());
  }

  static final String PRESIGNED_QUERY =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256"
          + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
          + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
          + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

  @Test
  void presignedUrlExampleAndItsExpiry() {
    Map<String, String> host = Map.of("host", "examplebucket.s3.amazonaws.com");
    assertEquals(
        AK, SigV4.verify(req("GET", "/test.txt", PRESIGNED_QUERY, host), SECRETS, NOW).accessKey());
    S3Exception e =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    req("GET", "/test.txt", PRESIGNED_QUERY, host),
                    SECRETS,
                    NOW.plusSeconds(86401)));
    assertEquals("AccessDenied", e.code());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
    e =
        assertThrows(
            S3Exception.class,
            () -> SigV4.verify(req("PUT", "/test.txt", PRESIGNED_QUERY, host), SECRETS, NOW));
    assertEquals("SignatureDoesNotMatch", e.code(), "a GET URL cannot be used to PUT");
  }

  @Test
  void uriEncodingAsAwsDoes() {
    assertEquals(
        "/b/%E4%BD%A0%E5%A5%BD/a%20b~.txt",
        SigV4.canonicalPath("/b/%E4%BD%A0%E5%A5%BD/a%20b~.txt"));
    assertEquals("/b/a%2Bb", SigV4.canonicalPath("/b/a+b"));
    assertEquals("a=1&b=&prefix=x%2Fy", SigV4.canonicalQuery("prefix=x/y&b&a=1", false));
    S3Exception e = assertThrows(S3Exception.class, () -> S3Uri.percentDecode("%zz"));
    assertEquals("InvalidURI", e.code());
    assertEquals(
        "InvalidURI", assertThrows(S3Exception.class, () -> S3Uri.percentDecode("%ff%fe")).code());
  }

  // ---- aws-chunked, the documentation's 66,560-byte example ----------------------------------

  static SigV4.Verified chunkedAuth() {
    Map<String, String> h =
        Map.of(
            "host",
            "s3.amazonaws.com",
            "x-amz-date",
            "20130524T000000Z",
            "x-amz-storage-class",
            "REDUCED_REDUNDANCY",
            "content-encoding",
            "aws-chunked",
            "x-amz-decoded-content-length",
            "66560",
            "content-length",
            "66824",
            "x-amz-content-sha256",
            SigV4.STREAMING_PAYLOAD,
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                + "x-amz-decoded-content-length;x-amz-storage-class,"
                + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
    return SigV4.verify(req("PUT", "/examplebucket/chunkObject.txt", null, h), SECRETS, NOW);
  }

  static Buffer chunkedBody(String lastSignature) {
    Buffer b = Buffer.buffer();
    b.appendString(
        "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    b.appendString("a".repeat(65536)).appendString("\r\n");
    b.appendString(
        "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    b.appendString("a".repeat(1024)).appendString("\r\n");
    b.appendString("0;chunk-signature=" + lastSignature + "\r\n\r\n");
    return b;
  }

  @Test
  void signedChunksOfTheExampleDecodeInAnySplit() {
    Buffer body = chunkedBody("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
    assertEquals(66824, body.length());
    for (int step : new int[] {1, 7, 100, 4096, body.length()}) {
      AwsChunkedParser p =
          new AwsChunkedParser(chunkedAuth(), SigV4.STREAMING_PAYLOAD, 66560, null);
      List<Buffer> out = new ArrayList<>();
      for (int i = 0; i < body.length(); i += step) {
        p.feed(body.slice(i, Math.min(body.length(), i + step)), out::add);
      }
      p.finish();
      Buffer all = Buffer.buffer();
      out.forEach(all::appendBuffer);
      assertEquals("a".repeat(66560), all.toString(), "split every " + step);
    }
  }

  @Test
  void aTamperedChunkOrATruncatedBodyFails() {
    Buffer body = chunkedBody("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
    body.setByte(200, (byte) 'b');
    AwsChunkedParser p = new AwsChunkedParser(chunkedAuth(), SigV4.STREAMING_PAYLOAD, 66560, null);
    assertEquals(
        "SignatureDoesNotMatch",
        assertThrows(S3Exception.class, () -> p.feed(body, b -> {})).code());

    Buffer whole = chunkedBody("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
    AwsChunkedParser q = new AwsChunkedParser(chunkedAuth(), SigV4.STREAMING_PAYLOAD, 66560, null);
    q.feed(whole.slice(0, 70000 - 3400), b -> {});
    assertEquals("IncompleteBody", assertThrows(S3Exception.class, q::finish).code());
  }

  @Test
  void unsignedChunksWithACrc32Trailer() {
    Buffer body = Buffer.buffer("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n");
    AwsChunkedParser p =
        new AwsChunkedParser(null, SigV4.STREAMING_UNSIGNED_TRAILER, 5, "x-amz-checksum-crc32");
    Buffer out = Buffer.buffer();
    p.feed(body, out::appendBuffer);
    p.finish();
    assertEquals("hello", out.toString());

    AwsChunkedParser bad =
        new AwsChunkedParser(null, SigV4.STREAMING_UNSIGNED_TRAILER, 5, "x-amz-checksum-crc32");
    bad.feed(Buffer.buffer("5\r\nhellO\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), b -> {});
    assertEquals("BadDigest", assertThrows(S3Exception.class, bad::finish).code());
  }

  @Test
  void thePresignedLinksTheConsoleHandsOutVerify() {
    java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
    String path = "/photos/" + S3Uri.uriEncode("2026/cat 1+ü.txt", false);
    String q =
        SigV4Signer.presignQuery(
            "GET",
            "127.0.0.1:9000",
            path,
            "response-content-disposition="
                + S3Uri.uriEncode("attachment; filename=\"cat.txt\"", true),
            "AK",
            "secret",
            "us-east-1",
            now,
            900);
    java.util.function.Function<String, String> host =
        h -> h.equals("host") ? "127.0.0.1:9000" : null;
    SigV4.Verified v =
        SigV4.verify(
            new SigV4.Request("GET", path, q, host),
            java.util.Map.of("AK", "secret"),
            now.plusSeconds(60));
    assertEquals("AK", v.accessKey());
    S3Exception late =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    new SigV4.Request("GET", path, q, host),
                    java.util.Map.of("AK", "secret"),
                    now.plusSeconds(901)));
    assertEquals("AccessDenied", late.code());
    S3Exception other =
        assertThrows(
            S3Exception.class,
            () ->
                SigV4.verify(
                    new SigV4.Request("GET", "/photos/other", q, host),
                    java.util.Map.of("AK", "secret"),
                    now));
    assertEquals("SignatureDoesNotMatch", other.code());
  }

  @Test
  void datesAndHeaderSpacesAreReadWithoutRegexOrFormatters() {
    assertEquals(
        java.time.Instant.parse("2013-05-24T00:00:00Z"), SigV4.parseDate("20130524T000000Z"));
    for (String bad :
        new String[] {
          "2013-05-24T00:00:00Z", "20131324T000000Z", "20130524T000000", "2013052aT000000Z"
        }) {
      assertEquals(
          "AccessDenied", assertThrows(S3Exception.class, () -> SigV4.parseDate(bad)).code(), bad);
    }
    assertEquals("a b c", SigV4.collapseSpaces("a  b\t\tc"));
    assertEquals("plain value", SigV4.collapseSpaces("plain value"));
  }
}
