package io.dfstree.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upload body must keep a minimum rate (storage.limits: here 64 bytes per 1 s window): a 1
 * byte/s trickle over HTTP is answered 408 and closed, and a WebSocket upload that stops short of
 * its declared size is closed 1008, although every byte of a trickle resets the connection's idle
 * timer (60 s here, so only the rate can end them in time). Margins are wide: the cut comes after
 * two windows (~2 s); the test allows 20 s.
 */
class HttpBodyRateTest {
  static HttpNode node;
  static Vertx vertx;
  static WebSocketClient client;

  @BeforeAll
  static void start() throws Exception {
    node =
        HttpNode.start(
            h -> {},
            st ->
                st.put(
                    "limits",
                    st.getJsonObject("limits", new JsonObject())
                        .copy()
                        .put("rateWindowMs", 1000)
                        .put("minBytesPerWindow", 64)));
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void aBodyTricklingOneBytePerSecondIsCut() throws Exception {
    long before = node.storedFiles();
    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /group1/upload?ext=bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      AtomicBoolean stop = new AtomicBoolean();
      Thread trickle =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 60 && !stop.get(); i++) { // 1 byte/s, bounded
                    out.write('x');
                    out.flush();
                    Thread.sleep(1000);
                  }
                } catch (Exception closed) {
                  // the server cut us: expected
                }
              });
      trickle.setDaemon(true);
      trickle.start();
      long[] took = {0};
      String answer = HttpLimitsTest.readUntilClosed(s, took);
      stop.set(true);
      assertTrue(answer.startsWith("HTTP/1.1 408"), "answered: " + answer);
      assertTrue(answer.contains("too slow"), answer);
      assertTrue(took[0] < 20_000, "cut after " + took[0] + " ms");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(0, node.tempFiles()));
    assertEquals(before, node.storedFiles(), "nothing stored");
  }

  @Test
  void anUploadAtAnOrdinaryRateIsNotCut() throws Exception {
    byte[] data = HttpNode.random(300_000, 5);
    var r =
        node.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(node.url("/group1/upload?ext=bin")))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(data)));
    assertEquals(200, r.statusCode(), new String(r.body()));
  }

  @Test
  void aWebSocketUploadThatStopsShortIsClosed() throws Exception {
    long before = node.storedFiles();
    WebSocket ws =
        client
            .connect(node.storageHttp, "127.0.0.1", "/group1/ws-upload")
            .await(10, TimeUnit.SECONDS);
    Promise<Short> code = Promise.promise();
    ws.closeHandler(v -> code.tryComplete(ws.closeStatusCode()));
    long start = System.currentTimeMillis();
    ws.writeTextMessage(new JsonObject().put("size", 100).put("ext", "bin").encode());
    ws.writeBinaryMessage(Buffer.buffer(new byte[10])); // 10 of the 100 declared, then nothing
    assertEquals((short) 1008, code.future().await(20, TimeUnit.SECONDS));
    assertTrue(ws.closeReason() != null && ws.closeReason().contains("too slow"), ws.closeReason());
    long took = System.currentTimeMillis() - start;
    assertTrue(
        took >= 900, "closed by the rate check after a whole window, not at once: " + took + " ms");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(0, node.tempFiles()));
    assertEquals(before, node.storedFiles(), "nothing stored");
  }
}
