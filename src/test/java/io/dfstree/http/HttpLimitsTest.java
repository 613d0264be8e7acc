package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP clients cannot hold a connection forever (a chunked body that never ends, a WebSocket upload
 * that stops short) and an oversized header is answered 431, not reset.
 */
class HttpLimitsTest {
  static HttpNode node;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("dfstree.http.idleTimeoutMs", "5000");
    node = HttpNode.start(h -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("dfstree.http.idleTimeoutMs");
    node.close();
  }

  /** Reads until the server closes; returns what arrived and how long it took. */
  static String readUntilClosed(Socket s, long[] tookMs) throws Exception {
    long start = System.currentTimeMillis();
    s.setSoTimeout(20_000);
    InputStream in = s.getInputStream();
    StringBuilder got = new StringBuilder();
    byte[] b = new byte[4096];
    try {
      for (int n; (n = in.read(b)) > 0; ) {
        got.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.net.SocketException reset) {
      got.append("<reset>");
    }
    tookMs[0] = System.currentTimeMillis() - start;
    return got.toString();
  }

  @Test
  void aChunkedBodyThatNeverEndsIsClosed() throws Exception {
    for (int port : new int[] {node.storageHttp, node.trackerHttp}) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream()
            .write(
                ("POST /group1/upload?ext=bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        long[] took = {0};
        readUntilClosed(s, took);
        assertTrue(took[0] < 12_000, "closed after " + took[0] + " ms on port " + port);
      }
    }
  }

  @Test
  void a64KiBHeaderIsAnswered431() throws Exception {
    for (int port : new int[] {node.storageHttp, node.trackerHttp}) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        String big = "a".repeat(64 * 1024);
        s.getOutputStream()
            .write(
                ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        long[] took = {0};
        String answer = readUntilClosed(s, took);
        assertTrue(
            answer.startsWith("HTTP/1.1 431"),
            "port " + port + " answered: " + answer.substring(0, Math.min(200, answer.length())));
      }
    }
  }

  @Test
  void ordinaryRequestsStillWork() throws Exception {
    assertEquals(200, node.get("/health").statusCode());
  }
}
