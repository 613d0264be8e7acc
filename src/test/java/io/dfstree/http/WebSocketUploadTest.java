package io.dfstree.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket uploads from a Vert.x client: start message, binary frames, JSON reply, close codes.
 */
class WebSocketUploadTest {
  static HttpNode node;
  static Vertx vertx;
  static WebSocketClient client;

  @BeforeAll
  static void start() throws Exception {
    node = HttpNode.start(h -> h.put("maxUploadBytes", "64M"));
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(256 * 1024));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  record Outcome(String reply, int closeCode, String closeReason) {}

  /**
   * Sends the start message and {@code chunks} without waiting for the server (faster than its
   * disk).
   */
  private Outcome send(String start, byte[] data, int chunk, boolean closeEarly) throws Exception {
    WebSocket ws =
        client
            .connect(node.storageHttp, "127.0.0.1", "/group1/ws-upload")
            .await(10, TimeUnit.SECONDS);
    Promise<String> reply = Promise.promise();
    Promise<Outcome> done = Promise.promise();
    ws.textMessageHandler(reply::tryComplete);
    ws.closeHandler(
        v ->
            done.tryComplete(
                new Outcome(
                    reply.future().result(),
                    ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(),
                    ws.closeReason())));
    ws.writeTextMessage(start);
    int limit = closeEarly ? data.length / 4 : data.length;
    for (int at = 0; at < limit; at += chunk) {
      ws.writeBinaryMessage(
          Buffer.buffer(java.util.Arrays.copyOfRange(data, at, Math.min(limit, at + chunk))));
    }
    if (closeEarly) {
      ws.close();
    }
    return done.future().await(60, TimeUnit.SECONDS);
  }

  @Test
  void fiftyMegabytesFasterThanTheDisk() throws Exception {
    byte[] data = HttpNode.random(50 * 1024 * 1024, 11);
    CRC32 crc = new CRC32();
    crc.update(data);
    Outcome o =
        send(
            new JsonObject()
                .put("size", data.length)
                .put("ext", "bin")
                .put("meta", new JsonObject().put("a", "b"))
                .encode(),
            data,
            64 * 1024,
            false);
    assertEquals(1000, o.closeCode(), o.closeReason());
    JsonObject j = new JsonObject(o.reply());
    assertEquals(data.length, j.getLong("size"));
    assertEquals(crc.getValue(), j.getLong("crc32"));
    byte[] back = node.get(j.getString("url")).body();
    assertArrayEquals(data, back);
    assertEquals("b", HttpNode.json(node.get(j.getString("url") + "?meta")).getString("a"));
  }

  @Test
  void closingMidUploadStoresNothing() throws Exception {
    long before = node.storedFiles();
    byte[] data = HttpNode.random(8 * 1024 * 1024, 12);
    send(
        new JsonObject().put("size", data.length).put("ext", "bin").encode(),
        data,
        64 * 1024,
        true);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(0, node.tempFiles()));
    assertEquals(before, node.storedFiles());
  }

  @Test
  void binaryBeforeTheStartMessageCloses1003() throws Exception {
    WebSocket ws =
        client
            .connect(node.storageHttp, "127.0.0.1", "/group1/ws-upload")
            .await(10, TimeUnit.SECONDS);
    Promise<Short> code = Promise.promise();
    ws.closeHandler(v -> code.tryComplete(ws.closeStatusCode()));
    ws.writeBinaryMessage(Buffer.buffer("oops"));
    assertEquals((short) 1003, code.future().await(10, TimeUnit.SECONDS));
  }

  @Test
  void overTheLimitCloses1008() throws Exception {
    Outcome o =
        send(new JsonObject().put("size", 65L * 1024 * 1024).encode(), new byte[0], 1, false);
    assertEquals(1008, o.closeCode());
  }

  @Test
  void moreBytesThanDeclaredCloses1008() throws Exception {
    long before = node.storedFiles();
    Outcome o = send(new JsonObject().put("size", 10).encode(), new byte[100], 100, false);
    assertEquals(1008, o.closeCode());
    assertEquals(before, node.storedFiles());
  }
}
