package io.dfstree.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Raw and multipart uploads, delete and metadata over HTTP, with a 1 MiB limit and no API keys. */
class HttpUploadTest {
  static HttpNode node;

  @BeforeAll
  static void start() throws Exception {
    node = HttpNode.start(h -> h.put("maxUploadBytes", "1M"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void rawUploadThenGetReturnsTheSameBytes() throws Exception {
    byte[] data = HttpNode.random(300_000, 1);
    JsonObject j = node.upload(data, "?ext=bin");
    CRC32 crc = new CRC32();
    crc.update(data);
    assertEquals(300_000, j.getLong("size"));
    assertEquals(crc.getValue(), j.getLong("crc32"));
    assertTrue(j.getString("fileId").startsWith("group1/M00/"));
    assertTrue(j.getString("fileId").endsWith(".bin"));
    assertArrayEquals(data, node.get(j.getString("url")).body());
  }

  @Test
  void chunkedUploadIsStored() throws Exception {
    byte[] data = HttpNode.random(200_000, 2);
    HttpResponse<byte[]> r =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url("/group1/upload?ext=txt")))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(data))));
    assertEquals(200, r.statusCode(), new String(r.body()));
    assertArrayEquals(data, node.get(HttpNode.json(r).getString("url")).body());
  }

  @Test
  void multipartWithTwoFiles() throws Exception {
    String boundary = "----dfstreeBoundary";
    byte[] a = HttpNode.random(5000, 3);
    byte[] b = HttpNode.random(7000, 4);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Object[] part : new Object[][] {{"a.png", a}, {"b.pdf", b}}) {
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                  + part[0]
                  + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      body.write((byte[]) part[1]);
      body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    HttpResponse<byte[]> r =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url("/group1/upload?meta.owner=alice")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    assertEquals(200, r.statusCode(), new String(r.body()));
    JsonArray arr = HttpNode.jsonArray(r);
    assertEquals(2, arr.size());
    assertTrue(arr.getJsonObject(0).getString("fileId").endsWith(".png"));
    assertTrue(arr.getJsonObject(1).getString("fileId").endsWith(".pdf"));
    assertArrayEquals(a, node.get(arr.getJsonObject(0).getString("url")).body());
    assertArrayEquals(b, node.get(arr.getJsonObject(1).getString("url")).body());
    assertEquals(
        "alice",
        HttpNode.json(node.get(arr.getJsonObject(1).getString("url") + "?meta"))
            .getString("owner"));
  }

  @Test
  void deleteRemovesTheFile() throws Exception {
    String url = node.upload(HttpNode.random(100, 5), "?ext=txt").getString("url");
    HttpResponse<byte[]> d = node.send(HttpRequest.newBuilder(URI.create(node.url(url))).DELETE());
    assertEquals(200, d.statusCode());
    assertEquals(404, node.get(url).statusCode());
    assertEquals(
        404, node.send(HttpRequest.newBuilder(URI.create(node.url(url))).DELETE()).statusCode());
  }

  /** Collects the file events published on the node's event bus from now on. */
  private static java.util.List<io.dfstree.api.FileEvent> listenToFileEvents() throws Exception {
    java.util.List<io.dfstree.api.FileEvent> got =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    node.server
        .vertx()
        .eventBus()
        .<JsonObject>consumer(
            io.dfstree.api.Addresses.FILE_EVENTS,
            m -> got.addAll(io.dfstree.api.FileEvent.fromMessage(m.body())))
        .completion()
        .await(5, java.util.concurrent.TimeUnit.SECONDS);
    return got;
  }

  private static io.dfstree.api.FileEvent awaitEvent(
      java.util.List<io.dfstree.api.FileEvent> got, String type, String fileId)
      throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      synchronized (got) {
        for (io.dfstree.api.FileEvent e : got) {
          if (e.type().equals(type) && e.fileId().equals(fileId)) {
            return e;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + type + " event for " + fileId + " in " + got);
  }

  @Test
  void deleteOverHttpPublishesADeletedEvent() throws Exception {
    java.util.List<io.dfstree.api.FileEvent> events = listenToFileEvents();
    String fileId = node.upload(HttpNode.random(100, 7), "?ext=txt").getString("fileId");
    assertEquals(100, awaitEvent(events, io.dfstree.api.FileEvent.CREATED, fileId).size());
    assertEquals(
        200,
        node.send(HttpRequest.newBuilder(URI.create(node.url("/" + fileId))).DELETE())
            .statusCode());
    io.dfstree.api.FileEvent deleted = awaitEvent(events, io.dfstree.api.FileEvent.DELETED, fileId);
    assertEquals(-1, deleted.size());
    assertTrue(deleted.storageId() > 0);
    // a refused delete (already gone) announces nothing
    assertEquals(
        404,
        node.send(HttpRequest.newBuilder(URI.create(node.url("/" + fileId))).DELETE())
            .statusCode());
    Thread.sleep(300); // longer than a publishing batch
    assertEquals(
        1,
        events.stream()
            .filter(
                e -> e.type().equals(io.dfstree.api.FileEvent.DELETED) && e.fileId().equals(fileId))
            .count());
  }

  @Test
  void metadataPutOverHttpPublishesAMetadataEventButUploadMetadataDoesNot() throws Exception {
    java.util.List<io.dfstree.api.FileEvent> events = listenToFileEvents();
    String fileId =
        node.upload(HttpNode.random(100, 8), "?ext=txt&meta.color=red").getString("fileId");
    awaitEvent(events, io.dfstree.api.FileEvent.CREATED, fileId);
    Thread.sleep(300); // longer than a publishing batch
    assertTrue(
        events.stream()
            .noneMatch(
                e ->
                    e.type().equals(io.dfstree.api.FileEvent.METADATA)
                        && e.fileId().equals(fileId)),
        "metadata sent with the upload is part of its created event");
    HttpResponse<byte[]> put =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url("/" + fileId + "?meta&merge=true")))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"shape\":\"round\"}")));
    assertEquals(200, put.statusCode(), new String(put.body()));
    assertEquals(-1, awaitEvent(events, io.dfstree.api.FileEvent.METADATA, fileId).size());
  }

  @Test
  void metadataGetPutAndMerge() throws Exception {
    String url =
        node.upload(HttpNode.random(100, 6), "?ext=txt&meta.color=red&meta.size=big")
            .getString("url");
    assertEquals(
        new JsonObject().put("color", "red").put("size", "big"),
        HttpNode.json(node.get(url + "?meta")));
    HttpResponse<byte[]> put =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url(url + "?meta&merge=true")))
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"color\":\"blue\",\"shape\":\"round\"}")));
    assertEquals(200, put.statusCode(), new String(put.body()));
    assertEquals(
        new JsonObject().put("color", "blue").put("shape", "round").put("size", "big"),
        HttpNode.json(node.get(url + "?meta")));
    node.send(
        HttpRequest.newBuilder(URI.create(node.url(url + "?meta")))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"only\":\"this\"}")));
    assertEquals(new JsonObject().put("only", "this"), HttpNode.json(node.get(url + "?meta")));
  }

  @Test
  void overTheLimitByContentLengthIs413BeforeTheBodyIsSent() throws Exception {
    long before = node.storedFiles();
    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("POST /group1/upload?ext=bin HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      + (2 * 1024 * 1024)
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      // the server answers without waiting for the body (it would read and drop it if it came)
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      byte[] buf = new byte[4096];
      int n;
      while (!sb.toString().contains("}") && (n = in.read(buf)) > 0) {
        sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
      }
      String answer = sb.toString();
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("\"too_large\""), answer);
    }
    assertEquals(before, node.storedFiles());
  }

  @Test
  void overTheLimitMidStreamChunkedIs413AndStoresNothing() throws Exception {
    long before = node.storedFiles();
    byte[] data = new byte[3 * 1024 * 1024];
    HttpResponse<byte[]> r =
        node.send(
            HttpRequest.newBuilder(URI.create(node.url("/group1/upload?ext=bin")))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(data))));
    assertEquals(413, r.statusCode());
    assertEquals(before, node.storedFiles());
    awaitNoTemp();
  }

  @Test
  void clientAbortingMidUploadLeavesNoTempFile() throws Exception {
    long before = node.storedFiles();
    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /group1/upload?ext=bin HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[200_000]);
      out.flush();
      Thread.sleep(300);
    }
    awaitNoTemp();
    assertEquals(before, node.storedFiles());
  }

  @Test
  void missingLengthIs411() throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
      s.getOutputStream()
          .write(
              "POST /group1/upload HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 411", head);
    }
  }

  private static void awaitNoTemp() {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(0, node.tempFiles()));
  }
}
