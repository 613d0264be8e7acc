package io.dfstree.embedded;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A bare FastDFS connection: header and body go out in one write; answers are read whole. */
final class RawFdfs implements AutoCloseable {
  static final int RESP = 100;

  /** One answer: the status byte and the body (empty when the status is an error). */
  record Answer(int cmd, int status, byte[] body) {
    String text(int from) {
      return new String(body, from, body.length - from, StandardCharsets.US_ASCII);
    }

    long longAt(int offset) {
      return ByteBuffer.wrap(body, offset, 8).getLong();
    }

    int intAt(int offset) {
      return ByteBuffer.wrap(body, offset, 4).getInt();
    }

    String fixedAt(int offset, int width) {
      int end = offset;
      while (end < offset + width && body[end] != 0) {
        end++;
      }
      return new String(body, offset, end - offset, StandardCharsets.US_ASCII);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawFdfs(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  Answer call(int cmd, byte[] body) throws IOException {
    return call(cmd, 0, body);
  }

  Answer call(int cmd, int status, byte[] body) throws IOException {
    byte[] packet = ByteBuffer.allocate(10 + body.length).putLong(body.length).put((byte) cmd).put((byte) status)
        .put(body).array();
    out.write(packet);
    out.flush();
    long length = in.readLong();
    int respCmd = in.readUnsignedByte();
    int respStatus = in.readUnsignedByte();
    if (length < 0 || length > 64 << 20) {
      throw new IOException("unreasonable body length " + length);
    }
    byte[] respBody = new byte[(int) length];
    in.readFully(respBody);
    return new Answer(respCmd, respStatus, respBody);
  }

  /** {@code text} NUL-padded to {@code width} bytes. */
  static byte[] fixed(String text, int width) {
    return Arrays.copyOf(text.getBytes(StandardCharsets.US_ASCII), width);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
