package io.dfstree.client;

import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One blocking TCP connection speaking FastDFS framing: send a request, read exactly one answer.
 * Any I/O or framing failure marks the connection unusable, because the byte stream can no longer
 * be trusted to be at a packet boundary; an error status with no body leaves it usable.
 */
final class FdfsConnection implements Closeable {
  /** Content is copied in chunks of this size; no file is ever held whole in memory. */
  static final int CHUNK = 64 * 1024;

  /** Largest non-file answer accepted (list answers, metadata): far above what servers send. */
  static final int MAX_SMALL_BODY = 16 * 1024 * 1024;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String peer;
  private boolean usable = true;

  private FdfsConnection(Socket socket, String peer) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.peer = peer;
  }

  static FdfsConnection open(ServerAddress address, FdfsClientOptions options) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) options.networkTimeout().toMillis());
      socket.connect(
          new InetSocketAddress(address.host(), address.port()),
          (int) options.connectTimeout().toMillis());
      return new FdfsConnection(socket, address.toString());
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  String peer() {
    return peer;
  }

  boolean isUsable() {
    return usable && !socket.isClosed();
  }

  /** Sends a complete request (header and body in one write) and returns the answer's body. */
  byte[] call(byte[] request, String context) throws IOException {
    send(request);
    long length = readHeader(context);
    if (length > MAX_SMALL_BODY) {
      usable = false;
      throw new ProtocolException("answer of " + length + " bytes is too large (" + context + ")");
    }
    return readExactly((int) length);
  }

  /** Like {@link #call} for commands whose success answer is empty (delete, append, ...). */
  void callExpectingEmpty(byte[] request, String context) throws IOException {
    byte[] body = call(request, context);
    if (body.length != 0) {
      throw new ProtocolException(
          "expected an empty answer, got " + body.length + " bytes (" + context + ")");
    }
  }

  void send(byte[] packet) throws IOException {
    try {
      out.write(packet);
      out.flush();
    } catch (IOException e) {
      usable = false;
      throw e;
    }
  }

  /**
   * Sends {@code prefix} (header and fixed body part) followed by exactly {@code size} bytes of
   * {@code content}. The header always leaves in the same write as the first content bytes, since
   * some clients and servers read the 10 header bytes with a single read call.
   */
  void sendStreamed(byte[] prefix, InputStream content, long size, String context)
      throws IOException {
    byte[] buf = new byte[Math.max(CHUNK, prefix.length)];
    System.arraycopy(prefix, 0, buf, 0, prefix.length);
    int filled = prefix.length;
    long remaining = size;
    try {
      while (true) {
        while (remaining > 0 && filled < buf.length) {
          int n = content.read(buf, filled, (int) Math.min(buf.length - filled, remaining));
          if (n < 0) {
            usable = false;
            throw new EOFException(
                "local content ended "
                    + remaining
                    + " bytes short of the declared "
                    + size
                    + " ("
                    + context
                    + ")");
          }
          filled += n;
          remaining -= n;
        }
        out.write(buf, 0, filled);
        filled = 0;
        if (remaining == 0) {
          break;
        }
      }
      out.flush();
    } catch (EOFException e) {
      throw e;
    } catch (IOException e) {
      usable = false;
      // a server that refuses an upload (ENOSPC, EINVAL) answers and closes before reading it all;
      // that answer explains the broken pipe better than the pipe does
      throw errorAnswerOr(e, context);
    }
  }

  /**
   * Reads a response header; an error status becomes an {@link FdfsException}. Returns the body
   * length.
   */
  long readHeader(String context) throws IOException {
    ResponseDecoder.ResponseHeader header;
    try {
      header = ResponseDecoder.header(readExactly(io.dfstree.protocol.PacketHeader.SIZE));
    } catch (SocketTimeoutException e) {
      usable = false;
      throw new SocketTimeoutException("no answer from " + peer + " in time (" + context + ")");
    } catch (IOException e) {
      usable = false;
      throw e;
    }
    if (header.status() != 0 && header.bodyLength() > 0) {
      // servers never send a body with an error; if one does, skip it so the next call stays in
      // step
      skipOrBreak(header.bodyLength());
    }
    ResponseDecoder.checkStatus(header, context);
    return header.bodyLength();
  }

  /** Copies exactly {@code length} body bytes to {@code sink} in bounded chunks. */
  void readBody(long length, OutputStream sink) throws IOException {
    byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, length))];
    long remaining = length;
    try {
      while (remaining > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
        if (n < 0) {
          throw new EOFException(
              peer + " closed the connection " + remaining + " bytes before the end of the answer");
        }
        remaining -= n;
        sink.write(buf, 0, n);
      }
    } catch (IOException e) {
      usable = false;
      throw e;
    }
  }

  byte[] readExactly(int length) throws IOException {
    try {
      byte[] b = in.readNBytes(length);
      if (b.length != length) {
        throw new EOFException(
            peer + " closed the connection after " + b.length + " of " + length + " bytes");
      }
      return b;
    } catch (IOException e) {
      usable = false;
      throw e;
    }
  }

  private void skipOrBreak(long length) throws IOException {
    if (length > MAX_SMALL_BODY) {
      usable = false;
      return;
    }
    readExactly((int) length);
  }

  private IOException errorAnswerOr(IOException writeFailure, String context) {
    try {
      socket.setSoTimeout(1000);
      ResponseDecoder.ResponseHeader header =
          ResponseDecoder.header(in.readNBytes(io.dfstree.protocol.PacketHeader.SIZE));
      ResponseDecoder.checkStatus(header, context);
    } catch (FdfsException answered) {
      throw answered;
    } catch (IOException | RuntimeException nothingUseful) {
      // no readable answer: the write failure is the best explanation
    }
    return writeFailure;
  }

  /** Closes the socket; when {@code sayGoodbye} and the stream is in step, sends QUIT first. */
  void close(boolean sayGoodbye) {
    if (sayGoodbye && isUsable()) {
      try {
        out.write(StorageCodec.encode(new StorageRequest.Quit()).getBytes()); // 82 on both roles
        out.flush();
      } catch (IOException ignored) {
        // the server may already be gone; closing is all that is left to do
      }
    }
    usable = false;
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to recover on close
    }
  }

  @Override
  public void close() {
    close(true);
  }
}
