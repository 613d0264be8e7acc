package io.dfstree.replication;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.PacketHeader;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;

/**
 * One connection from this storage to a peer's storage port, used for one request at a time: small
 * calls answered with a body, downloads streamed into a file, and replica uploads streamed out
 * while the client's upload arrives. Responses are framed by the same {@link FrameDecoder} the
 * server side uses. Every request has a deadline; a peer that stalls is closed and failed.
 */
final class PeerConnection implements FrameDecoder.Listener {
  private final NetSocket socket;
  private final String peer;
  private final FrameDecoder decoder = new FrameDecoder(this);
  private Promise<Buffer> pending;
  private WriteStream<Buffer> sink; // where a streamed response body goes
  private long maxSmallBody;
  private boolean closed;
  private long deadlineTimer = -1;
  private long deadlineAt; // when the armed timer fires (ms)
  private long timeoutMs;
  private long lastProgress;
  private final io.vertx.core.Vertx vertx;

  /** The event loop the socket belongs to: the connection is pooled for that loop only. */
  final io.vertx.core.Context owner;

  PeerConnection(
      io.vertx.core.Vertx vertx, NetSocket socket, String peer, io.vertx.core.Context owner) {
    this.vertx = vertx;
    this.owner = owner;
    this.socket = socket;
    this.peer = peer;
    socket.handler(decoder::feed);
    socket.closeHandler(
        v -> {
          closed = true;
          failPending(new FdfsException(Errno.EIO, "peer " + peer + " closed the connection"));
        });
    socket.exceptionHandler(
        e -> failPending(new FdfsException(Errno.EIO, "peer " + peer + ": " + e.getMessage())));
  }

  boolean usable() {
    return !closed && pending == null;
  }

  String peer() {
    return peer;
  }

  /** Sends {@code req} (a request without content) and returns the response body. */
  Future<Buffer> call(io.dfstree.protocol.StorageRequest req, long timeoutMs) {
    start(timeoutMs, null, 16L << 20);
    socket.write(io.dfstree.protocol.StorageCodec.encode(req));
    return pending.future();
  }

  /** Sends {@code req}; its response body is streamed into {@code out}; returns its length. */
  Future<Long> stream(
      io.dfstree.protocol.StorageRequest req, WriteStream<Buffer> out, long timeoutMs) {
    start(timeoutMs, out, 0);
    socket.write(io.dfstree.protocol.StorageCodec.encode(req));
    return pending.future().map(b -> b.getLong(0));
  }

  /**
   * Starts a request written piece by piece by the caller ({@link #write}); the answer is awaited.
   */
  Future<Buffer> begin(Buffer headerAndPrefix, long timeoutMs) {
    start(timeoutMs, null, 1 << 16);
    socket.write(headerAndPrefix);
    return pending.future();
  }

  /**
   * Writes a piece of a streamed request. The chunk may be a client connection's network buffer,
   * owned by the upload (see {@code OwnedWrites}) and sent without a copy: Netty is given a view
   * it does not release (Vert.x's {@code getByteBuf}), so this connection holds a reference of its
   * own until the write completes (sent, failed or dropped with the connection), and the upload's
   * file write may release its reference first. Taken for every chunk, whatever its memory (a
   * pooled heap buffer behind TLS needs it as much): on Vert.x's own heap buffers it does nothing.
   */
  void write(Buffer chunk) {
    io.netty.buffer.ByteBuf b = ((io.vertx.core.internal.buffer.BufferInternal) chunk).unwrap();
    b.retain();
    socket.write(chunk).onComplete(x -> b.release());
  }

  boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  void drainHandler(io.vertx.core.Handler<Void> h) {
    socket.drainHandler(h);
  }

  void close() {
    closed = true;
    socket.close();
  }

  private void start(long timeoutMs, WriteStream<Buffer> out, long maxSmall) {
    if (pending != null || closed) {
      throw new IllegalStateException("peer connection busy or closed");
    }
    pending = Promise.promise();
    sink = out;
    maxSmallBody = maxSmall;
    this.timeoutMs = timeoutMs;
    this.lastProgress = System.currentTimeMillis();
    if (deadlineTimer >= 0 && deadlineAt > lastProgress + timeoutMs) {
      // armed for an earlier request with a longer deadline than this one's
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
    if (deadlineTimer < 0) {
      armDeadline(timeoutMs);
    } // else the timer of an earlier request is still armed: it measures from lastProgress
    decoder.nextRequest();
  }

  /**
   * The deadline moves with progress: a slow transfer is fine, a stalled one is not. One timer
   * serves the requests that follow each other on this connection (a copy per upload): it is not
   * cancelled when a request is answered, and when it fires with no request pending it stops, so a
   * busy connection sets a timer once per deadline, not once per request.
   */
  private void armDeadline(long delay) {
    deadlineAt = System.currentTimeMillis() + Math.max(1, delay);
    deadlineTimer =
        vertx.setTimer(
            Math.max(1, delay),
            t -> {
              deadlineTimer = -1;
              if (pending == null) {
                return; // answered; the next request arms it again
              }
              long idle = System.currentTimeMillis() - lastProgress;
              if (idle < timeoutMs) {
                armDeadline(timeoutMs - idle);
                return;
              }
              failPending(
                  new FdfsException(
                      Errno.ETIMEDOUT,
                      "peer " + peer + " made no progress for " + timeoutMs + " ms"));
              close();
            });
  }

  /** Bytes moved: the peer is alive. */
  void progress() {
    lastProgress = System.currentTimeMillis();
  }

  @Override
  public void onHeader(PacketHeader h) {
    if (h.status() != 0) {
      int errno = h.statusCode();
      decoder.discard(Math.max(0, h.bodyLength()));
      failPending(new FdfsException(errno, "peer " + peer + " answered " + Errno.name(errno)));
      return;
    }
    if (sink != null) {
      expectedLength = h.bodyLength();
      decoder.streamBody(h.bodyLength());
    } else if (h.bodyLength() < 0 || h.bodyLength() > maxSmallBody) {
      failPending(
          new FdfsException(
              Errno.EIO, "peer " + peer + " sent a body of " + h.bodyLength() + " bytes"));
      close();
    } else {
      decoder.expectFixed((int) h.bodyLength());
    }
  }

  private long expectedLength;

  @Override
  public void onFixed(Buffer part) {
    succeed(part);
  }

  @Override
  public void onBodyChunk(Buffer chunk) {
    lastProgress = System.currentTimeMillis();
    sink.write(chunk);
    if (sink.writeQueueFull()) {
      socket.pause();
      sink.drainHandler(v -> socket.resume());
    }
  }

  @Override
  public void onBodyEnd() {
    succeed(Buffer.buffer(8).appendLong(expectedLength));
  }

  @Override
  public void onDiscarded() {
    // the failure was reported at the header
  }

  private void succeed(Buffer body) {
    Promise<Buffer> p = pending;
    clearPending();
    if (p != null) {
      p.tryComplete(body);
    }
  }

  private void failPending(Throwable t) {
    Promise<Buffer> p = pending;
    clearPending();
    if (p != null) {
      p.tryFail(t);
    }
  }

  private void clearPending() {
    pending = null;
    sink = null;
    if (closed && deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }
}
