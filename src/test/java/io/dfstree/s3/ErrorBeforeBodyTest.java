package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PUT refused from its headers alone (here: anonymous, to a private bucket) while the client is
 * still sending its body: the client can send the whole body and then read the refusal. Closing at
 * once left the body unread, and the reset that caused could throw the answer away before the
 * client read it (the AWS SDK's "Error writing request body to server", seen in a full verify).
 */
class ErrorBeforeBodyTest {
  static S3Node node;

  @BeforeAll
  static void start() throws Exception {
    node = S3Node.start(s -> {});
    node.client(S3Node.ACCESS_KEY, S3Node.SECRET_KEY).createBucket(b -> b.bucket("private"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aRefusedPutsClientSendsItsWholeBodyAndThenReadsTheRefusal() throws Exception {
    int bodySize = 512 * 1024;
    try (Socket s = new Socket("127.0.0.1", node.port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("PUT /private/refused.bin HTTP/1.1\r\nHost: 127.0.0.1:"
                  + node.port
                  + "\r\nContent-Length: "
                  + bodySize
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(300); // the server has answered and, before the fix, closed
      byte[] chunk = new byte[16 * 1024];
      for (int sent = 0; sent < bodySize; sent += chunk.length) {
        out.write(chunk); // threw "Connection reset" / "Broken pipe" when closed at once
      }
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
      assertTrue(answer.contains("<Code>AccessDenied</Code>"), answer);
      assertTrue(answer.toLowerCase().contains("connection: close"), answer);
    }
  }
}
