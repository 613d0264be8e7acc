package io.dfstree.client.eventbus;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.PacketHeader;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/**
 * One TCP connection to a storage speaking the FastDFS storage protocol, one request at a time.
 * Responses are framed by the pure {@link FrameDecoder}; small answers are collected whole,
 * download bodies are handed to a {@link DownloadStream} chunk by chunk.
 */
final class StorageChannel implements FrameDecoder.Listener {
  /** Largest non-download answer we accept (metadata is the biggest: a few KiB in practice). */
  static final int MAX_ANSWER = 1 << 20;

  private final NetSocket socket;
  private final Context context;
  private final String where;
  private final FrameDecoder decoder = new FrameDecoder(this);
  private Promise<Buffer> answer;
  private Promise<ReadStream<Buffer>> downloadStarted;
  private DownloadStream download;
  private boolean closed;

  StorageChannel(NetSocket socket, String where) {
    this.socket = socket;
    this.context = Vertx.currentContext(); // the socket's: decoder state is touched only there
    this.where = where;
    socket.handler(decoder::feed);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(this::failCurrent);
  }

  NetSocket socket() {
    return socket;
  }

  String where() {
    return where;
  }

  /** A request without content; header and body go in one write. */
  Future<Buffer> request(io.dfstree.protocol.StorageRequest req) {
    Future<Buffer> f = expectAnswer();
    socket.write(io.dfstree.protocol.StorageCodec.encode(req));
    return f;
  }

  /** Expects the next response as a whole answer (the caller then writes the request). */
  Future<Buffer> expectAnswer() {
    if (closed) {
      return Future.failedFuture(
          new FdfsException(Errno.EIO, "connection to storage " + where + " is closed"));
    }
    answer = Promise.promise();
    decoder.nextRequest();
    return answer.future();
  }

  /**
   * Sends a download request; the future completes with the body stream once the header says OK.
   */
  Future<ReadStream<Buffer>> download(Buffer request) {
    if (closed) {
      return Future.failedFuture(
          new FdfsException(Errno.EIO, "connection to storage " + where + " is closed"));
    }
    downloadStarted = Promise.promise();
    decoder.nextRequest();
    socket.write(request);
    return downloadStarted.future();
  }

  void close() {
    if (!closed) {
      closed = true;
      socket.close();
    }
  }

  // ---- decoder callbacks (on the socket's context) --------------------------------------------

  @Override
  public void onHeader(PacketHeader h) {
    if (h.statusCode() != 0) {
      failCurrent(
          new FdfsException(
              h.statusCode(),
              "storage "
                  + where
                  + " answered "
                  + Errno.name(h.statusCode())
                  + " ("
                  + Errno.describe(h.statusCode())
                  + ")"));
      if (h.bodyLength() != 0) {
        close(); // FastDFS never sends a body with an error: the stream is no longer trustworthy
      }
      return;
    }
    if (downloadStarted != null) {
      Promise<ReadStream<Buffer>> p = downloadStarted;
      downloadStarted = null;
      download = new DownloadStream(this, decoder, h.bodyLength());
      p.tryComplete(download);
      return;
    }
    if (h.bodyLength() < 0 || h.bodyLength() > MAX_ANSWER) {
      failCurrent(
          new FdfsException(
              Errno.EINVAL, "storage " + where + " answered " + h.bodyLength() + " bytes"));
      close();
      return;
    }
    decoder.expectFixed((int) h.bodyLength());
  }

  @Override
  public void onFixed(Buffer part) {
    Promise<Buffer> p = answer;
    answer = null;
    if (p != null) {
      p.tryComplete(part);
    }
  }

  @Override
  public void onBodyChunk(Buffer chunk) {
    if (download != null) {
      download.emit(chunk);
    }
  }

  @Override
  public void onBodyEnd() {
    DownloadStream d = download;
    download = null;
    if (d != null) {
      d.end();
    }
  }

  /** Runs {@code action} on the socket's context (at once when already there). */
  void run(Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  void pauseSocket() {
    socket.pause();
  }

  void resumeSocket() {
    if (!closed) {
      socket.resume();
    }
  }

  private void onClosed() {
    closed = true;
    decoder.close();
    failCurrent(new FdfsException(Errno.EIO, "storage " + where + " closed the connection"));
  }

  private void failCurrent(Throwable err) {
    Throwable e =
        err instanceof FdfsException
            ? err
            : new FdfsException(Errno.EIO, "storage " + where + ": " + err);
    if (answer != null) {
      Promise<Buffer> p = answer;
      answer = null;
      p.tryFail(e);
    }
    if (downloadStarted != null) {
      Promise<ReadStream<Buffer>> p = downloadStarted;
      downloadStarted = null;
      p.tryFail(e);
    }
    if (download != null) {
      DownloadStream d = download;
      download = null;
      d.fail(e);
    }
  }
}
