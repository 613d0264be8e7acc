package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET/HEAD of stored files over the storage's HTTP port: ranges, validators, types, bad paths. */
class StorageHttpDownloadTest {
  static HttpNode node;
  static byte[] content = HttpNode.random(10_000, 7);
  static String path;

  @BeforeAll
  static void start() throws Exception {
    node = HttpNode.start(h -> {});
    path = node.upload(content, "?ext=jpg").getString("url");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void wholeFileWithHeaders() throws Exception {
    HttpResponse<byte[]> r = node.get(path);
    assertEquals(200, r.statusCode());
    assertArrayEquals(content, r.body());
    assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElse(""));
    assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
    assertTrue(r.headers().firstValue("ETag").orElse("").startsWith("\""));
    assertTrue(r.headers().firstValue("Last-Modified").isPresent());
  }

  @Test
  void singleRangeIs206() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=100-199");
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(content, 100, 200), r.body());
    assertEquals("bytes 100-199/10000", r.headers().firstValue("Content-Range").orElse(""));
  }

  @Test
  void suffixRange() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=-10");
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(content, 9990, 10000), r.body());
  }

  @Test
  void openRange() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=9000-");
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(content, 9000, 10000), r.body());
    assertEquals("bytes 9000-9999/10000", r.headers().firstValue("Content-Range").orElse(""));
  }

  @Test
  void unsatisfiableRangeIs416() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=10000-20000");
    assertEquals(416, r.statusCode());
    assertEquals("bytes */10000", r.headers().firstValue("Content-Range").orElse(""));
  }

  @Test
  void multipleRangesServeTheWholeFile() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=0-9,20-29");
    assertEquals(200, r.statusCode());
    assertArrayEquals(content, r.body());
  }

  @Test
  void malformedRangeIsIgnored() throws Exception {
    HttpResponse<byte[]> r = node.get(path, "Range", "bytes=abc");
    assertEquals(200, r.statusCode());
    assertEquals(content.length, r.body().length);
  }

  @Test
  void ifNoneMatchGives304() throws Exception {
    String etag = node.get(path).headers().firstValue("ETag").orElseThrow();
    assertEquals(304, node.get(path, "If-None-Match", etag).statusCode());
    assertEquals(200, node.get(path, "If-None-Match", "\"other\"").statusCode());
  }

  @Test
  void ifModifiedSinceGives304() throws Exception {
    String lm = node.get(path).headers().firstValue("Last-Modified").orElseThrow();
    assertEquals(304, node.get(path, "If-Modified-Since", lm).statusCode());
    assertEquals(
        200, node.get(path, "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").statusCode());
  }

  @Test
  void headHasLengthAndNoBody() throws Exception {
    HttpResponse<byte[]> r =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url(path)))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode());
    assertEquals("10000", r.headers().firstValue("Content-Length").orElse(""));
    assertEquals(0, r.body().length);
  }

  @Test
  void filenameGivesAttachment() throws Exception {
    HttpResponse<byte[]> r = node.get(path + "?filename=holiday.jpg");
    assertTrue(
        r.headers()
            .firstValue("Content-Disposition")
            .orElse("")
            .startsWith("attachment; filename=\"holiday.jpg\""));
  }

  @Test
  void badPathIs400Json() throws Exception {
    HttpResponse<byte[]> r = node.get("/group1/M00/../../etc/passwd");
    assertEquals(400, r.statusCode());
    assertEquals("bad_request", HttpNode.json(r).getString("error"));
    HttpResponse<byte[]> r2 = node.get("/group1/M00/00/00/notafastdfsname.jpg");
    assertEquals(400, r2.statusCode());
  }

  @Test
  void missingFileIs404() throws Exception {
    // another creation time in the name (packed or not): a well-formed name of nothing stored
    int at = path.indexOf("/M00/") + 14;
    String other =
        path.substring(0, at) + (path.charAt(at) == 'A' ? 'B' : 'A') + path.substring(at + 1);
    HttpResponse<byte[]> r = node.get(other);
    assertEquals(404, r.statusCode(), new String(r.body()));
    JsonObject j = HttpNode.json(r);
    assertEquals("not_found", j.getString("error"));
  }
}
