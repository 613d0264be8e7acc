package io.dfstree.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A raw FastDFS client on a blocking socket: bytes out, header and body back. */
final class Raw implements AutoCloseable {
  static final int TIMEOUT_MS = 5000;

  final Socket socket;
  final OutputStream out;
  final DataInputStream in;

  record Reply(long length, int cmd, int status, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  private Raw(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  static Raw open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    s.setSoTimeout(TIMEOUT_MS);
    s.setTcpNoDelay(true);
    return new Raw(s);
  }

  static byte[] header(long length, int cmd, int status) {
    return ByteBuffer.allocate(10).putLong(length).put((byte) cmd).put((byte) status).array();
  }

  /** Header + body in one array. */
  static byte[] packet(int cmd, byte[] body) {
    return cat(header(body.length, cmd, 0), body);
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  static byte[] fixed(String s, int width) {
    byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
    byte[] f = new byte[width];
    System.arraycopy(v, 0, f, 0, Math.min(width, v.length));
    return f;
  }

  static byte[] i64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  void send(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  /** Reads one response: header, then its body when the status is 0. */
  Reply read() throws IOException {
    byte[] h = new byte[10];
    in.readFully(h);
    ByteBuffer bb = ByteBuffer.wrap(h);
    long len = bb.getLong();
    int cmd = bb.get() & 0xFF;
    int status = bb.get() & 0xFF;
    assertEquals(100, cmd, "response command byte");
    byte[] body = new byte[0];
    if (len > 0) {
      assertTrue(len < 64L * 1024 * 1024, "implausible response length " + len);
      body = new byte[(int) len];
      in.readFully(body);
    }
    return new Reply(len, cmd, status, body);
  }

  /** Reads one response and checks its status byte; error replies must carry no body. */
  Reply expect(int status) throws IOException {
    Reply r = read();
    assertEquals(status, r.status(), "status byte");
    if (status != 0) {
      assertEquals(0, r.length(), "an error reply carries no body");
    }
    return r;
  }

  /** The server closes this connection: EOF (or a reset) before the timeout, nothing else arrives. */
  void expectClosed() throws IOException {
    try {
      int b = in.read();
      if (b != -1) {
        fail("expected the server to close the connection, got byte " + b);
      }
    } catch (SocketTimeoutException e) {
      fail("server kept the connection open for " + TIMEOUT_MS + " ms");
    } catch (SocketException e) {
      // connection reset: closed as well
    }
  }

  /** ACTIVE_TEST on this connection is answered with status 0 and an empty body. */
  void activeTest() throws IOException {
    send(header(0, 111, 0));
    Reply r = read();
    assertEquals(0, r.status(), "ACTIVE_TEST status");
    assertEquals(0, r.length(), "ACTIVE_TEST body");
  }

  /** ACTIVE_TEST on a new connection to {@code port}. */
  static void activeTest(int port) throws IOException {
    try (Raw r = open(port)) {
      r.activeTest();
    }
  }

  byte[] readExactly(int n) throws IOException {
    byte[] b = new byte[n];
    try {
      in.readFully(b);
    } catch (EOFException e) {
      fail("connection closed before " + n + " bytes");
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
