package io.dfstree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerRequest;
import io.vertx.core.buffer.Buffer;
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

/**
 * The one raw FastDFS client of the tests, on a blocking socket: requests out, header and body
 * back, nothing hidden. Well-formed requests are laid out by the codecs ({@link StorageCodec},
 * {@link TrackerCodec}): {@link #wire}, {@link #send(StorageRequest)}, {@link
 * #call(TrackerRequest)} and the storage shortcuts below. Tests that send malformed bytes on
 * purpose build them with the raw-bytes escape ({@link #header}, {@link #packet}, {@link #cat},
 * {@link #fixed}, {@link #i64}) and {@link #send(byte[])} or {@link #callRaw} them.
 */
public final class RawClient implements AutoCloseable {
  public static final int TIMEOUT_MS = 5000;
  public static final int RESP = 100;

  /** The group of the test servers. */
  public static final String GROUP = "group1";

  public final Socket socket;

  /** For tests that write a request in pieces (a stalled body, a half header). */
  public final OutputStream out;

  public final DataInputStream in;

  /** One answer: its header fields and body (empty when the status is an error). */
  public record Reply(long length, int cmd, int status, byte[] body) {
    public String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }

    public String text(int from) {
      return new String(body, from, body.length - from, StandardCharsets.US_ASCII);
    }

    public long longAt(int offset) {
      return ByteBuffer.wrap(body, offset, 8).getLong();
    }

    public int intAt(int offset) {
      return ByteBuffer.wrap(body, offset, 4).getInt();
    }

    public String fixedAt(int offset, int width) {
      int end = offset;
      while (end < offset + width && body[end] != 0) {
        end++;
      }
      return new String(body, offset, end - offset, StandardCharsets.US_ASCII);
    }

    public Buffer buffer() {
      return Buffer.buffer(body);
    }
  }

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  public static RawClient open(int port) throws IOException {
    return open(port, TIMEOUT_MS);
  }

  /** A connection to 127.0.0.1:{@code port} whose reads give up after {@code readTimeoutMs}. */
  public static RawClient open(int port, int readTimeoutMs) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
    s.setSoTimeout(readTimeoutMs);
    s.setTcpNoDelay(true);
    return new RawClient(s);
  }

  // ---- well-formed requests, laid out by the codecs
  // ------------------------------------------------

  public static byte[] wire(StorageRequest r) {
    return StorageCodec.encode(r).getBytes();
  }

  /** The request's header and fixed part followed by its content. */
  public static byte[] wire(StorageRequest r, byte[] content) {
    return StorageCodec.encode(r).appendBytes(content).getBytes();
  }

  public static byte[] wire(TrackerRequest r) {
    return TrackerCodec.encode(r).getBytes();
  }

  public static byte[] upload(String ext, byte[] content) {
    return upload(false, -1, ext, content);
  }

  public static byte[] uploadAppender(String ext, byte[] content) {
    return upload(true, -1, ext, content);
  }

  /** 11 or 23; {@code storePathIndex} -1: the storage chooses (0xFF on the wire). */
  public static byte[] upload(boolean appender, int storePathIndex, String ext, byte[] content) {
    return wire(new StorageRequest.Upload(appender, storePathIndex, content.length, ext), content);
  }

  public static byte[] slave(String master, String prefix, String ext, byte[] content) {
    return wire(new StorageRequest.UploadSlave(master, prefix, ext, content.length), content);
  }

  public static byte[] append(String name, byte[] content) {
    return wire(new StorageRequest.WriteAppender(name, false, -1, content.length), content);
  }

  public static byte[] modify(String name, long offset, byte[] content) {
    return wire(new StorageRequest.WriteAppender(name, true, offset, content.length), content);
  }

  public static byte[] download(long offset, long length, String group, String name) {
    return wire(new StorageRequest.Download(offset, length, group, name, false));
  }

  public static byte[] delete(String group, String name) {
    return wire(new StorageRequest.Delete(group, name));
  }

  public static byte[] getMeta(String group, String name) {
    return wire(new StorageRequest.GetMetadata(group, name));
  }

  public static byte[] queryInfo(String group, String name) {
    return wire(new StorageRequest.QueryFileInfo(group, name, false));
  }

  /** 13 with op 'M' (merge) or 'O' (overwrite). */
  public static byte[] setMeta(char op, String group, String name, byte[] meta) {
    if (op != 'M' && op != 'O') {
      throw new IllegalArgumentException(
          "a well-formed set-metadata op is 'M' or 'O'; build other bytes raw");
    }
    return wire(new StorageRequest.SetMetadata(group, name, op == 'M', meta));
  }

  public static byte[] truncate(String name, long newSize) {
    return wire(new StorageRequest.Truncate(name, newSize));
  }

  public static byte[] regenerate(String name) {
    return wire(new StorageRequest.RegenerateAppenderName(name));
  }

  public static byte[] activeTestBytes() {
    return wire(new StorageRequest.ActiveTest());
  }

  public void send(StorageRequest r) throws IOException {
    send(wire(r));
  }

  public void send(StorageRequest r, byte[] content) throws IOException {
    send(wire(r, content));
  }

  public void send(TrackerRequest r) throws IOException {
    send(wire(r));
  }

  public Reply call(StorageRequest r) throws IOException {
    send(r);
    return read();
  }

  public Reply call(StorageRequest r, byte[] content) throws IOException {
    send(r, content);
    return read();
  }

  public Reply call(TrackerRequest r) throws IOException {
    send(r);
    return read();
  }

  /** Uploads over a fresh connection; returns the remote name (without group). */
  public static String uploadNew(int port, int cmd, String ext, byte[] content) throws IOException {
    try (RawClient r = open(port)) {
      r.send(upload(cmd == 23, -1, ext, content));
      StorageReply.StoredFile f = StorageCodec.decodeStoredFile(r.expect(0).buffer());
      assertEquals(GROUP, f.group());
      return f.remoteName();
    }
  }

  /** {@code n} pseudo-random bytes seeded by {@code n}: tests that need one content per size. */
  public static byte[] bytes(int n) {
    return bytes(n, n);
  }

  /** {@code n} pseudo-random bytes from {@code seed}. */
  public static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  // ---- the raw-bytes escape, for malformed requests
  // --------------------------------------------------

  public static byte[] header(long length, int cmd, int status) {
    return new PacketHeader(length, (byte) cmd, (byte) status).toBytes();
  }

  /** Header + body in one array. */
  public static byte[] packet(int cmd, byte[] body) {
    return cat(header(body.length, cmd, 0), body);
  }

  public static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  public static byte[] fixed(String s, int width) {
    byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
    byte[] f = new byte[width];
    System.arraycopy(v, 0, f, 0, Math.min(width, v.length));
    return f;
  }

  public static byte[] i64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Bytes as given, in one write: codec-built ones above, or malformed ones built raw. */
  public void send(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  /** A request of any command, status byte and body, and its answer. */
  public Reply callRaw(int cmd, int status, byte[] body) throws IOException {
    send(cat(header(body.length, cmd, status), body));
    return read();
  }

  public Reply callRaw(int cmd, byte[] body) throws IOException {
    return callRaw(cmd, 0, body);
  }

  // ---- answers
  // -------------------------------------------------------------------------------------------

  /** Reads one response: header, then its body when the status is 0. */
  public Reply read() throws IOException {
    byte[] header = new byte[PacketHeader.SIZE];
    in.readFully(header);
    PacketHeader h = PacketHeader.decode(header);
    assertEquals(RESP, h.commandCode(), "response command byte");
    long len = h.bodyLength();
    byte[] body = new byte[0];
    if (len > 0) {
      assertTrue(len < 64L * 1024 * 1024, "implausible response length " + len);
      body = new byte[(int) len];
      in.readFully(body);
    }
    return new Reply(len, h.commandCode(), h.statusCode(), body);
  }

  /** Reads one response and checks its status byte; error replies must carry no body. */
  public Reply expect(int status) throws IOException {
    Reply r = read();
    assertEquals(status, r.status(), "status byte");
    if (status != 0) {
      assertEquals(0, r.length(), "an error reply carries no body");
    }
    return r;
  }

  /**
   * The server closes this connection: EOF (or a reset) before the timeout, nothing else arrives.
   */
  public void expectClosed() throws IOException {
    try {
      int b = in.read();
      if (b != -1) {
        fail("expected the server to close the connection, got byte " + b);
      }
    } catch (SocketTimeoutException e) {
      fail("server kept the connection open for " + socket.getSoTimeout() + " ms");
    } catch (SocketException e) {
      // connection reset: closed as well
    }
  }

  /** ACTIVE_TEST on this connection is answered with status 0 and an empty body. */
  public void activeTest() throws IOException {
    send(activeTestBytes());
    Reply r = read();
    assertEquals(0, r.status(), "ACTIVE_TEST status");
    assertEquals(0, r.length(), "ACTIVE_TEST body");
  }

  /** ACTIVE_TEST on a new connection to {@code port}. */
  public static void activeTest(int port) throws IOException {
    try (RawClient r = open(port)) {
      r.activeTest();
    }
  }

  public byte[] readExactly(int n) throws IOException {
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
