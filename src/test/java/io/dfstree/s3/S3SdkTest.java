package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient1;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.*;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/** The AWS SDK for Java v2 through every S3 operation we serve, against the embedded node. */
class S3SdkTest {
  static S3Node node;
  static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    node =
        S3Node.start(
            c ->
                c.put("publicBuckets", new io.vertx.core.json.JsonArray().add("open-bucket"))
                    .put("minPartBytes", "5M"));
    s3 = node.client();
    ClientGlobal.initByTrackers(node.trackerAddress());
    ClientGlobal.g_connect_timeout = 5000;
    ClientGlobal.g_network_timeout = 30_000;
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

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String md5(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
  }

  static String errorCode(Runnable r) {
    software.amazon.awssdk.services.s3.model.S3Exception e =
        assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class, r::run);
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  static int status(Runnable r) {
    return assertThrows(software.amazon.awssdk.services.s3.model.S3Exception.class, r::run)
        .statusCode();
  }

  @Test
  void bucketsLifecycle() {
    s3.createBucket(b -> b.bucket("life"));
    assertEquals(200, s3.headBucket(b -> b.bucket("life")).sdkHttpResponse().statusCode());
    assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("life")));
    assertEquals(
        "BucketAlreadyOwnedByYou", errorCode(() -> s3.createBucket(b -> b.bucket("life"))));
    s3.putObject(b -> b.bucket("life").key("x"), RequestBody.fromString("x"));
    assertEquals("BucketNotEmpty", errorCode(() -> s3.deleteBucket(b -> b.bucket("life"))));
    s3.deleteObject(b -> b.bucket("life").key("x"));
    s3.deleteBucket(b -> b.bucket("life"));
    assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("life")));
    assertThrows(NoSuchBucketException.class, () -> s3.listObjectsV2(b -> b.bucket("life")));
    assertThrows(
        NoSuchBucketException.class,
        () -> s3.putObject(b -> b.bucket("life").key("y"), RequestBody.fromString("y")));
  }

  @Test
  void putGetHeadWithMetadataRangesAndConditions() throws Exception {
    s3.createBucket(b -> b.bucket("objects"));
    byte[] data = random(300_000, 1);
    PutObjectResponse put =
        s3.putObject(
            b ->
                b.bucket("objects")
                    .key("photos/cat.jpg")
                    .contentType("image/jpeg")
                    .metadata(Map.of("author", "me", "camera", "x100")),
            RequestBody.fromBytes(data));
    assertEquals("\"" + md5(data) + "\"", put.eTag(), "single-part ETag is the MD5");

    ResponseBytes<GetObjectResponse> got =
        s3.getObjectAsBytes(b -> b.bucket("objects").key("photos/cat.jpg"));
    assertArrayEquals(data, got.asByteArray());
    assertEquals("image/jpeg", got.response().contentType());
    assertEquals(Map.of("author", "me", "camera", "x100"), got.response().metadata());

    HeadObjectResponse head = s3.headObject(b -> b.bucket("objects").key("photos/cat.jpg"));
    assertEquals(300_000L, head.contentLength());
    assertEquals(put.eTag(), head.eTag());

    byte[] mid =
        s3.getObjectAsBytes(b -> b.bucket("objects").key("photos/cat.jpg").range("bytes=1000-1999"))
            .asByteArray();
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 2000), mid);
    ResponseBytes<GetObjectResponse> tail =
        s3.getObjectAsBytes(b -> b.bucket("objects").key("photos/cat.jpg").range("bytes=-10"));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(data, data.length - 10, data.length), tail.asByteArray());
    assertEquals("bytes 299990-299999/300000", tail.response().contentRange());
    byte[] open =
        s3.getObjectAsBytes(b -> b.bucket("objects").key("photos/cat.jpg").range("bytes=299000-"))
            .asByteArray();
    assertEquals(1000, open.length);
    assertEquals(
        "InvalidRange",
        errorCode(
            () ->
                s3.getObject(
                    b -> b.bucket("objects").key("photos/cat.jpg").range("bytes=300000-"),
                    (r, in) -> null)));

    assertEquals(
        304,
        status(
            () ->
                s3.getObject(
                    b -> b.bucket("objects").key("photos/cat.jpg").ifNoneMatch(put.eTag()),
                    (r, in) -> null)));
    assertEquals(
        412,
        status(
            () ->
                s3.getObject(
                    b -> b.bucket("objects").key("photos/cat.jpg").ifMatch("\"0000\""),
                    (r, in) -> null)));
    assertArrayEquals(
        data,
        s3.getObjectAsBytes(b -> b.bucket("objects").key("photos/cat.jpg").ifMatch(put.eTag()))
            .asByteArray());
    assertEquals(
        304,
        status(
            () ->
                s3.getObject(
                    b ->
                        b.bucket("objects")
                            .key("photos/cat.jpg")
                            .ifModifiedSince(java.time.Instant.now().plusSeconds(5)),
                    (r, in) -> null)));

    assertThrows(
        NoSuchKeyException.class,
        () -> s3.getObject(b -> b.bucket("objects").key("nope"), (r, in) -> null));
    assertEquals(404, status(() -> s3.headObject(b -> b.bucket("objects").key("nope"))));
    assertThrows(
        NoSuchBucketException.class,
        () -> s3.getObject(b -> b.bucket("no-such-bucket").key("x"), (r, in) -> null));
  }

  @Test
  void anObjectIsAFastDfsFileTheOfficialClientDownloadsAndOverwritesFreeIt() throws Exception {
    s3.createBucket(b -> b.bucket("fdfs"));
    byte[] first = random(70_000, 2);
    PutObjectResponse put =
        s3.putObject(b -> b.bucket("fdfs").key("doc.pdf"), RequestBody.fromBytes(first));
    String fileId = put.sdkHttpResponse().firstMatchingHeader("x-dfstree-file-id").orElseThrow();
    assertTrue(fileId.startsWith("group1/M00/") && fileId.endsWith(".pdf"), fileId);
    assertEquals(
        fileId,
        s3.headObject(b -> b.bucket("fdfs").key("doc.pdf"))
            .sdkHttpResponse()
            .firstMatchingHeader("x-dfstree-file-id")
            .orElseThrow());
    StorageClient1 fdfs = new StorageClient1(null, null);
    assertArrayEquals(
        first, fdfs.download_file1(fileId), "the official FastDFS client reads what S3 stored");

    byte[] second = random(1000, 3);
    String newId =
        s3.putObject(b -> b.bucket("fdfs").key("doc.pdf"), RequestBody.fromBytes(second))
            .sdkHttpResponse()
            .firstMatchingHeader("x-dfstree-file-id")
            .orElseThrow();
    assertNotEquals(fileId, newId);
    assertArrayEquals(second, fdfs.download_file1(newId));
    assertNull(fdfs.download_file1(fileId), "the overwritten object's file is deleted");
    assertEquals(2, fdfs.getErrorCode());

    s3.deleteObject(b -> b.bucket("fdfs").key("doc.pdf"));
    assertNull(fdfs.download_file1(newId), "a deleted object's file is deleted");
    assertThrows(
        NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("fdfs").key("doc.pdf")));
  }

  @Test
  void listingWithPrefixDelimiterAndContinuation() {
    s3.createBucket(b -> b.bucket("list"));
    List<String> keys =
        List.of("a/1", "a/2", "a/b/3", "b/1", "c", "d.txt", "é/unicode", "日本/ファイル 名.txt");
    for (String k : keys) {
      s3.putObject(b -> b.bucket("list").key(k), RequestBody.fromString(k));
    }
    ListObjectsV2Response all = s3.listObjectsV2(b -> b.bucket("list"));
    assertEquals(keys, all.contents().stream().map(S3Object::key).toList(), "UTF-8 byte order");
    assertFalse(all.isTruncated());

    ListObjectsV2Response root = s3.listObjectsV2(b -> b.bucket("list").delimiter("/"));
    assertEquals(List.of("c", "d.txt"), root.contents().stream().map(S3Object::key).toList());
    assertEquals(
        List.of("a/", "b/", "é/", "日本/"),
        root.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

    ListObjectsV2Response inA = s3.listObjectsV2(b -> b.bucket("list").prefix("a/").delimiter("/"));
    assertEquals(List.of("a/1", "a/2"), inA.contents().stream().map(S3Object::key).toList());
    assertEquals(List.of("a/b/"), inA.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

    // one item a page: every key and prefix exactly once
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String t = token;
      ListObjectsV2Response page =
          s3.listObjectsV2(b -> b.bucket("list").delimiter("/").maxKeys(1).continuationToken(t));
      page.contents().forEach(o -> seen.add(o.key()));
      page.commonPrefixes().forEach(p -> seen.add(p.prefix()));
      token = page.isTruncated() ? page.nextContinuationToken() : null;
      assertTrue(++pages < 20, "pagination ends");
    } while (token != null);
    assertEquals(List.of("a/", "b/", "c", "d.txt", "é/", "日本/"), seen);

    ListObjectsV2Response after = s3.listObjectsV2(b -> b.bucket("list").startAfter("b/1"));
    assertEquals("c", after.contents().get(0).key());
    ListObjectsResponse v1 = s3.listObjects(b -> b.bucket("list").prefix("a/").maxKeys(2));
    assertEquals(List.of("a/1", "a/2"), v1.contents().stream().map(S3Object::key).toList());
    assertTrue(v1.isTruncated());
    assertEquals(
        "ファイル 名.txt".length() + 3,
        s3.getObjectAsBytes(b -> b.bucket("list").key("日本/ファイル 名.txt")).asUtf8String().length());
  }

  @Test
  void copyAndDeleteMany() throws Exception {
    s3.createBucket(b -> b.bucket("copies"));
    byte[] data = random(123_456, 4);
    s3.putObject(
        b ->
            b.bucket("copies")
                .key("src.bin")
                .metadata(Map.of("k", "v"))
                .contentType("application/x-test"),
        RequestBody.fromBytes(data));
    CopyObjectResponse c =
        s3.copyObject(
            b ->
                b.sourceBucket("copies")
                    .sourceKey("src.bin")
                    .destinationBucket("copies")
                    .destinationKey("dst/copy.bin"));
    assertEquals("\"" + md5(data) + "\"", c.copyObjectResult().eTag());
    ResponseBytes<GetObjectResponse> copy =
        s3.getObjectAsBytes(b -> b.bucket("copies").key("dst/copy.bin"));
    assertArrayEquals(data, copy.asByteArray());
    assertEquals(Map.of("k", "v"), copy.response().metadata());
    assertEquals("application/x-test", copy.response().contentType());
    s3.copyObject(
        b ->
            b.sourceBucket("copies")
                .sourceKey("src.bin")
                .destinationBucket("copies")
                .destinationKey("src.bin")
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of("new", "1")));
    assertEquals(
        Map.of("new", "1"), s3.headObject(b -> b.bucket("copies").key("src.bin")).metadata());
    assertThrows(
        NoSuchKeyException.class,
        () ->
            s3.copyObject(
                b ->
                    b.sourceBucket("copies")
                        .sourceKey("missing")
                        .destinationBucket("copies")
                        .destinationKey("x")));

    for (int i = 0; i < 5; i++) {
      int n = i;
      s3.putObject(b -> b.bucket("copies").key("many/" + n), RequestBody.fromString("m" + n));
    }
    List<ObjectIdentifier> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(ObjectIdentifier.builder().key("many/" + i).build());
    }
    ids.add(ObjectIdentifier.builder().key("many/never-existed").build());
    DeleteObjectsResponse del =
        s3.deleteObjects(b -> b.bucket("copies").delete(d -> d.objects(ids)));
    assertEquals(6, del.deleted().size(), "S3 reports deleting a missing key as deleted");
    assertTrue(del.errors().isEmpty());
    assertEquals(0, s3.listObjectsV2(b -> b.bucket("copies").prefix("many/")).keyCount());
  }

  @Test
  void multipartUploadOf100MbStreamsPartsAndReadsBackInRanges() throws Exception {
    s3.createBucket(b -> b.bucket("big"));
    int partSize = 5 * 1024 * 1024;
    int parts = 20; // 100 MiB
    String uploadId =
        s3.createMultipartUpload(
                b ->
                    b.bucket("big")
                        .key("video.mp4")
                        .contentType("video/mp4")
                        .metadata(Map.of("title", "big")))
            .uploadId();
    MessageDigest whole = MessageDigest.getInstance("MD5");
    MessageDigest etags = MessageDigest.getInstance("MD5");
    List<CompletedPart> done = new ArrayList<>();
    for (int i = 1; i <= parts; i++) {
      byte[] part = random(partSize, 100 + i);
      whole.update(part);
      etags.update(MessageDigest.getInstance("MD5").digest(part));
      int n = i;
      UploadPartResponse r =
          s3.uploadPart(
              b -> b.bucket("big").key("video.mp4").uploadId(uploadId).partNumber(n),
              RequestBody.fromBytes(part));
      assertEquals("\"" + md5(part) + "\"", r.eTag());
      done.add(CompletedPart.builder().partNumber(i).eTag(r.eTag()).build());
    }
    ListPartsResponse listed =
        s3.listParts(b -> b.bucket("big").key("video.mp4").uploadId(uploadId));
    assertEquals(parts, listed.parts().size());
    assertEquals((long) partSize, listed.parts().get(3).size());
    assertEquals(
        List.of(uploadId),
        s3.listMultipartUploads(b -> b.bucket("big")).uploads().stream()
            .map(MultipartUpload::uploadId)
            .toList());

    // parts out of order are refused, and the upload stays usable
    List<CompletedPart> reversed = new ArrayList<>(done);
    java.util.Collections.reverse(reversed);
    assertEquals(
        "InvalidPartOrder",
        errorCode(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("big")
                            .key("video.mp4")
                            .uploadId(uploadId)
                            .multipartUpload(m -> m.parts(reversed)))));

    CompleteMultipartUploadResponse complete =
        s3.completeMultipartUpload(
            b ->
                b.bucket("big")
                    .key("video.mp4")
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(done)));
    assertEquals(
        "\"" + HexFormat.of().formatHex(etags.digest()) + "-" + parts + "\"", complete.eTag());

    HeadObjectResponse head = s3.headObject(b -> b.bucket("big").key("video.mp4"));
    assertEquals((long) partSize * parts, head.contentLength());
    assertEquals("video/mp4", head.contentType());
    assertEquals(Map.of("title", "big"), head.metadata());

    MessageDigest read = MessageDigest.getInstance("MD5");
    long total = 0;
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket("big").key("video.mp4"))) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        read.update(buf, 0, n);
        total += n;
      }
    }
    assertEquals((long) partSize * parts, total);
    assertArrayEquals(whole.digest(), read.digest(), "the whole object reads back byte for byte");

    // a range across the boundary of parts 3 and 4
    long from = 3L * partSize - 100;
    byte[] across =
        s3.getObjectAsBytes(
                b -> b.bucket("big").key("video.mp4").range("bytes=" + from + "-" + (from + 199)))
            .asByteArray();
    byte[] p3 = random(partSize, 103);
    byte[] p4 = random(partSize, 104);
    assertArrayEquals(
        java.util.Arrays.copyOfRange(p3, partSize - 100, partSize),
        java.util.Arrays.copyOfRange(across, 0, 100));
    assertArrayEquals(
        java.util.Arrays.copyOfRange(p4, 0, 100), java.util.Arrays.copyOfRange(across, 100, 200));

    // completed: the upload is gone; abort of another frees its parts
    assertThrows(
        NoSuchUploadException.class,
        () -> s3.listParts(b -> b.bucket("big").key("video.mp4").uploadId(uploadId)));
    String other = s3.createMultipartUpload(b -> b.bucket("big").key("other")).uploadId();
    String partFile =
        s3.uploadPart(
                b -> b.bucket("big").key("other").uploadId(other).partNumber(1),
                RequestBody.fromBytes(random(1000, 9)))
            .sdkHttpResponse()
            .firstMatchingHeader("x-dfstree-file-id")
            .orElseThrow();
    s3.abortMultipartUpload(b -> b.bucket("big").key("other").uploadId(other));
    assertNull(
        new StorageClient1(null, null).download_file1(partFile),
        "an aborted upload's parts are deleted");
    assertThrows(
        NoSuchUploadException.class,
        () ->
            s3.uploadPart(
                b -> b.bucket("big").key("other").uploadId(other).partNumber(2),
                RequestBody.fromString("late")));
    s3.deleteObject(b -> b.bucket("big").key("video.mp4"));
  }

  @Test
  void smallPartsButTheLastAreRefused() {
    s3.createBucket(b -> b.bucket("small-parts"));
    String id = s3.createMultipartUpload(b -> b.bucket("small-parts").key("k")).uploadId();
    String e1 =
        s3.uploadPart(
                b -> b.bucket("small-parts").key("k").uploadId(id).partNumber(1),
                RequestBody.fromString("tiny"))
            .eTag();
    String e2 =
        s3.uploadPart(
                b -> b.bucket("small-parts").key("k").uploadId(id).partNumber(2),
                RequestBody.fromString("end"))
            .eTag();
    assertEquals(
        "EntityTooSmall",
        errorCode(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("small-parts")
                            .key("k")
                            .uploadId(id)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                        CompletedPart.builder().partNumber(2).eTag(e2).build())))));
    assertEquals(
        "InvalidPart",
        errorCode(
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket("small-parts")
                            .key("k")
                            .uploadId(id)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        CompletedPart.builder()
                                            .partNumber(1)
                                            .eTag("\"ffff\"")
                                            .build())))));
    // one small part alone is a valid object
    s3.completeMultipartUpload(
        b ->
            b.bucket("small-parts")
                .key("k")
                .uploadId(id)
                .multipartUpload(
                    m -> m.parts(CompletedPart.builder().partNumber(2).eTag(e2).build())));
    assertEquals("end", s3.getObjectAsBytes(b -> b.bucket("small-parts").key("k")).asUtf8String());
  }

  @Test
  void presignedUrlsWorkWithoutTheSdkAndExpire() throws Exception {
    s3.createBucket(b -> b.bucket("presigned"));
    HttpClient http =
        HttpClient.newHttpClient(); // offers an h2c upgrade: the server answers in HTTP/1.1
    try (var presigner = node.presigner()) {
      URI put =
          presigner
              .presignPutObject(
                  PutObjectPresignRequest.builder()
                      .signatureDuration(Duration.ofMinutes(5))
                      .putObjectRequest(b -> b.bucket("presigned").key("up.txt"))
                      .build())
              .url()
              .toURI();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(put)
                  .PUT(HttpRequest.BodyPublishers.ofString("via presigned PUT"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      URI get =
          presigner
              .presignGetObject(
                  GetObjectPresignRequest.builder()
                      .signatureDuration(Duration.ofMinutes(5))
                      .getObjectRequest(b -> b.bucket("presigned").key("up.txt"))
                      .build())
              .url()
              .toURI();
      HttpResponse<String> g =
          http.send(HttpRequest.newBuilder(get).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, g.statusCode());
      assertEquals("via presigned PUT", g.body());

      URI shortLived =
          presigner
              .presignGetObject(
                  GetObjectPresignRequest.builder()
                      .signatureDuration(Duration.ofSeconds(1))
                      .getObjectRequest(b -> b.bucket("presigned").key("up.txt"))
                      .build())
              .url()
              .toURI();
      Thread.sleep(2100);
      HttpResponse<String> late =
          http.send(
              HttpRequest.newBuilder(shortLived).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, late.statusCode());
      assertTrue(
          late.body().contains("<Code>AccessDenied</Code>") && late.body().contains("expired"),
          late.body());

      URI tampered = URI.create(get.toString().replace("up.txt", "other.txt"));
      HttpResponse<String> t =
          http.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, t.statusCode());
      assertTrue(t.body().contains("<Code>SignatureDoesNotMatch</Code>"), t.body());
    }
  }

  @Test
  void wrongKeysAndAnonymousAccess() {
    s3.createBucket(b -> b.bucket("private"));
    s3.putObject(b -> b.bucket("private").key("secret.txt"), RequestBody.fromString("secret"));
    try (S3Client wrongSecret = node.client(S3Node.ACCESS_KEY, "not-the-secret");
        S3Client unknownKey = node.client("AKIDONOTKNOWYOU00000", S3Node.SECRET_KEY);
        S3Client anonymous = node.anonymous()) {
      assertEquals(
          "SignatureDoesNotMatch",
          errorCode(
              () -> wrongSecret.getObjectAsBytes(b -> b.bucket("private").key("secret.txt"))));
      assertEquals(
          "SignatureDoesNotMatch",
          errorCode(
              () ->
                  wrongSecret.putObject(
                      b -> b.bucket("private").key("x"), RequestBody.fromString("no"))));
      assertEquals("InvalidAccessKeyId", errorCode(() -> unknownKey.listBuckets()));
      assertEquals(
          "AccessDenied",
          errorCode(() -> anonymous.getObjectAsBytes(b -> b.bucket("private").key("secret.txt"))));
      assertEquals("AccessDenied", errorCode(() -> anonymous.listBuckets()));

      s3.createBucket(b -> b.bucket("open-bucket"));
      s3.putObject(b -> b.bucket("open-bucket").key("hello.txt"), RequestBody.fromString("public"));
      assertEquals(
          "public",
          anonymous.getObjectAsBytes(b -> b.bucket("open-bucket").key("hello.txt")).asUtf8String());
      assertEquals(1, anonymous.listObjectsV2(b -> b.bucket("open-bucket")).keyCount());
      assertEquals(
          "AccessDenied",
          errorCode(
              () ->
                  anonymous.putObject(
                      b -> b.bucket("open-bucket").key("w"), RequestBody.fromString("no writes"))));
      assertEquals(
          "AccessDenied",
          errorCode(() -> anonymous.deleteObject(b -> b.bucket("open-bucket").key("hello.txt"))));
    }
    assertFalse(
        s3.listObjectsV2(b -> b.bucket("private")).contents().stream()
            .anyMatch(o -> o.key().equals("x")),
        "a refused PUT stored nothing");
  }

  @Test
  void unicodeAndOddKeysRoundTrip() {
    s3.createBucket(b -> b.bucket("odd-keys"));
    List<String> keys =
        List.of(
            "空 格/файл+plus&amp=eq?.txt",
            "emoji-😀.bin",
            "a//double/slash",
            "trailing/",
            "%2e%2e literal percent",
            "k".repeat(1024));
    for (String k : keys) {
      s3.putObject(
          b -> b.bucket("odd-keys").key(k),
          RequestBody.fromString(k.substring(0, Math.min(10, k.length()))));
      assertEquals(
          k.substring(0, Math.min(10, k.length())),
          s3.getObjectAsBytes(b -> b.bucket("odd-keys").key(k)).asUtf8String(),
          k);
    }
    List<String> listed =
        s3.listObjectsV2(b -> b.bucket("odd-keys")).contents().stream().map(S3Object::key).toList();
    assertTrue(listed.containsAll(keys), listed.toString());
    assertEquals(
        "KeyTooLongError",
        errorCode(
            () ->
                s3.putObject(
                    b -> b.bucket("odd-keys").key("k".repeat(1025)), RequestBody.fromString("x"))));
  }

  static String body(InputStream in) throws Exception {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
