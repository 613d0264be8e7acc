package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** API keys for writes and anti-leech tokens for downloads. */
class HttpAccessTest {
  static final String SECRET = "FastDFS1234567890";
  static HttpNode node;
  static byte[] content = HttpNode.random(1000, 9);
  static String url;
  static String remote;

  @BeforeAll
  static void start() throws Exception {
    node =
        HttpNode.start(
            h ->
                h.put("apiKeys", new JsonArray().add("k1").add("k2"))
                    .put("tokenSecret", SECRET)
                    .put("tokenTtlSeconds", 600));
    url = node.upload(content, "?ext=jpg", "Authorization", "Bearer k1").getString("url");
    remote = url.substring("/group1/".length());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private HttpResponse<byte[]> post(String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(node.url("/group1/upload?ext=txt")))
            .POST(HttpRequest.BodyPublishers.ofString("x"));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return node.send(b);
  }

  @Test
  void writeWithoutKeyIs401() throws Exception {
    HttpResponse<byte[]> r = post();
    assertEquals(401, r.statusCode());
    assertEquals("unauthorized", HttpNode.json(r).getString("error"));
  }

  @Test
  void writeWithWrongKeyIs403() throws Exception {
    assertEquals(403, post("X-Api-Key", "nope").statusCode());
  }

  @Test
  void writeWithEitherKeyHeaderIsAccepted() throws Exception {
    assertEquals(200, post("X-Api-Key", "k2").statusCode());
    assertEquals(200, post("Authorization", "Bearer k1").statusCode());
  }

  @Test
  void deleteWithoutKeyIs401() throws Exception {
    assertEquals(
        401, node.send(HttpRequest.newBuilder(URI.create(node.url(url))).DELETE()).statusCode());
  }

  @Test
  void goodTokenServesTheFile() throws Exception {
    long ts = System.currentTimeMillis() / 1000;
    HttpResponse<byte[]> r =
        node.get(url + "?token=" + DownloadToken.sign(remote, SECRET, ts) + "&ts=" + ts);
    assertEquals(200, r.statusCode());
    assertArrayEquals(content, r.body());
  }

  @Test
  void missingTokenIs403() throws Exception {
    HttpResponse<byte[]> r = node.get(url);
    assertEquals(403, r.statusCode());
    assertTrue(HttpNode.json(r).getString("message").contains("token"));
  }

  @Test
  void badTokenIs403() throws Exception {
    long ts = System.currentTimeMillis() / 1000;
    // signed over group/M00/.. as the Java client's samples do: the module (and we) reject it
    assertEquals(
        403,
        node.get(url + "?token=" + DownloadToken.sign("group1/" + remote, SECRET, ts) + "&ts=" + ts)
            .statusCode());
  }

  @Test
  void expiredTokenIs403WithAClearMessage() throws Exception {
    long ts = System.currentTimeMillis() / 1000 - 601;
    HttpResponse<byte[]> r =
        node.get(url + "?token=" + DownloadToken.sign(remote, SECRET, ts) + "&ts=" + ts);
    assertEquals(403, r.statusCode());
    assertTrue(HttpNode.json(r).getString("message").contains("expired"));
  }

  @Test
  void tsZeroNeverExpires() throws Exception {
    assertEquals(
        200,
        node.get(url + "?token=" + DownloadToken.sign(remote, SECRET, 0) + "&ts=0").statusCode());
  }
}
