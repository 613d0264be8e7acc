package io.dfstree.storage;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to a storage, a thin adapter: a {@link FrameDecoder} splits the bytes,
 * {@link StorageCodec} decodes each request, {@link StorageCommands} executes it. Requests are
 * served one at a time; what one request needs lives in its {@link ConnectionExchange}, and what
 * the client may do in {@link StorageClientGuard}. File content is streamed with back-pressure (the
 * socket pauses while the disk or the peers catch up). A rejected request's body is skipped (or,
 * beyond {@link #DRAIN_LIMIT}, the connection is closed) so the next header is never misread.
 */
final class StorageConnection implements FrameDecoder.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(StorageConnection.class);

  /** Rejected bodies up to this size are read and dropped so the client can read our errno. */
  static final long DRAIN_LIMIT = 256L * 1024 * 1024;

  private static final int MAX_UNREAD = 256 * 1024;

  /**
   * An owned chunk keeps its whole network buffer alive until written: a chunk that fills less than
   * 1 / PIN_RATIO of it (a trickling client's reads) is copied instead, so what a sink's queue pins
   * stays within PIN_RATIO times the bytes it counts.
   */
  private static final int PIN_RATIO = 4;

  /** Bodies from this size on pause the socket while their request decides (largeBodyAhead). */
  private static final long PAUSE_EARLY_BODY = 256 * 1024;

  /** Bodies up to this size are read and dropped before a rejecting close (see rejectAndClose). */
  private static final long CLOSE_DRAIN_LIMIT = 4L * 1024 * 1024;

  private static final long CLOSE_GRACE_MS = 500;

  private final Vertx vertx;
  private final NetSocket socket;
  private final StorageNode node;
  private final StorageCommands commands;
  private final FrameDecoder decoder = new FrameDecoder(this);
  private final String remote;
  private final Runnable quickAck;
  private final StorageClientGuard guard;

  private ConnectionExchange current;
  private boolean socketPaused;
  private volatile boolean closed;

  /** The socket's channel (null for other sockets): see {@link #isClosed}. */
  private final io.netty.channel.Channel channel;
  private boolean closeAfterDiscard;

  /** The body chunk being delivered is an owned slice of a network read (see onMessage). */
  private boolean ownedChunk;

  StorageConnection(Vertx vertx, NetSocket socket, StorageNode node) {
    this.vertx = vertx;
    this.socket = socket;
    this.node = node;
    this.commands = new StorageCommands(node, vertx.getOrCreateContext());
    this.remote = String.valueOf(socket.remoteAddress());
    this.quickAck = QuickAck.forSocket(socket);
    this.channel =
        socket instanceof io.vertx.core.internal.net.NetSocketInternal internal
            ? internal.channelHandlerContext().channel()
            : null;
    this.guard =
        new StorageClientGuard(
            vertx,
            node,
            remote,
            () -> StorageClientGuard.phase(decoder.state(), decoder.buffered(), socketPaused),
            socket::close);
  }

  void start() {
    node.connectionOpened();
    if (socket instanceof io.vertx.core.internal.net.NetSocketInternal internal) {
      internal.messageHandler(this::onMessage);
    } else {
      socket.handler(this::onData);
    }
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(
        e -> LOG.debug("storage: connection {} error: {}", remote, e.toString()));
  }

  /**
   * A network read as Netty delivered it (a pooled, usually direct buffer; this handler owns it).
   * Body bytes streamed to a sink that takes owned chunks ({@link OwnedWrites}: an upload into a
   * file, a peer's copy, an appender write) are handed over as retained slices of it — no copy on
   * the event loop, and the file write and the copy to the peers read the same direct memory.
   * Everything else (headers, fixed parts, small uploads into packed volumes, a body while the
   * decoder holds unread bytes or is paused) is copied to heap as Vert.x would have done ({@code
   * safeBuffer}) and fed to the decoder. The read's own reference is released here, always.
   */
  private void onMessage(Object msg) {
    if (!(msg instanceof io.netty.buffer.ByteBuf buf)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (closed) {
        return; // a read left in Vert.x's queue while paused, delivered after the close
      }
      guard.received(buf.readableBytes());
      while (buf.isReadable()) {
        long wanted = decoder.bodyWanted();
        int n = (int) Math.min(wanted, buf.readableBytes());
        if (n > 0
            && (long) n * PIN_RATIO >= buf.capacity()
            && current != null
            && current.sink instanceof OwnedWrites o
            && o.takesOwned()) {
          ownedChunk = true;
          try {
            decoder.bodyRead(
                io.vertx.core.internal.buffer.BufferInternal.buffer(buf.readRetainedSlice(n)));
          } finally {
            ownedChunk = false;
          }
        } else {
          int all = buf.readableBytes();
          Buffer heap = Buffer.buffer(all);
          ((io.vertx.core.internal.buffer.BufferInternal) heap).unwrap().writeBytes(buf, all);
          decoder.feed(heap);
        }
      }
    } finally {
      buf.release();
    }
    afterRead();
  }

  private void onData(Buffer data) {
    guard.received(data.length());
    decoder.feed(data);
    afterRead();
  }

  private void afterRead() {
    if (decoder.state() == FrameDecoder.State.FIXED || decoder.state() == FrameDecoder.State.BODY) {
      quickAck.run();
    }
    if (!closed && (decoder.paused() || decoder.buffered() > MAX_UNREAD || largeBodyAhead())) {
      pauseSocket();
    }
    if (current != null && current.sink instanceof QueuedWrites q) {
      guard.flushIfStalled(q::flushQueued);
    }
  }

  /**
   * A large body's first bytes arrived before its request decided where they go (it opens the
   * copies to the peers, takes a lock...): pause now, so the reads that follow wait in Vert.x's
   * queue as Netty's buffers and reach the sink without a copy ({@link #onMessage}), instead of
   * up to {@link #MAX_UNREAD} bytes more being copied to heap into the decoder. Not for small
   * bodies: a pause and a resume cost two system calls, and a small upload's body is all in the
   * first read anyway.
   */
  private boolean largeBodyAhead() {
    return current != null
        && !current.bodyStarted
        && current.header.bodyLength() >= PAUSE_EARLY_BODY
        && decoder.state() == FrameDecoder.State.AWAIT_REPLY
        && decoder.buffered() > 0;
  }

  private void onClosed() {
    closed = true;
    if (socketPaused) {
      // reads Vert.x queued while we were paused are Netty's buffers: let them through to
      // onMessage, which releases them now that we are closed
      socketPaused = false;
      socket.resume();
    }
    guard.stop();
    node.connectionClosed();
    decoder.close();
    if (current != null) {
      current.abandon(new FdfsException(Errno.EIO, "client closed the connection mid-request"));
    }
  }

  // ---- framing -------------------------------------------------------------------------------

  @Override
  public void onHeader(PacketHeader h) {
    current = new ConnectionExchange(this, socket, decoder, remote, h);
    RequestStart start =
        RequestStart.of(h, guard.mayUse(h.command()), node.options.maxRequestBytes());
    if (start instanceof RequestStart.Read r) {
      current.part = r.part();
      decoder.expectFixed(r.bytes());
    } else if (start instanceof RequestStart.Fail f) {
      fail(f.error(), f.unread());
    } else if (start instanceof RequestStart.Refuse r) {
      rejectAndClose(r.errno(), r.message());
    } else if (start instanceof RequestStart.Empty) {
      reply(new StorageReply.Empty());
    } else {
      socket.close(); // quit
    }
  }

  @Override
  public void onFixed(Buffer part) {
    ConnectionExchange ex = current;
    try {
      StorageRequest req = ex.fixed(part);
      if (req instanceof StorageRequest.PeerAuthChallenge
          || req instanceof StorageRequest.PeerAuthProve) {
        reply(guard.authenticate(req));
      } else if (req != null) {
        commands.execute(req, ex);
      }
    } catch (FdfsException e) {
      // a request refused before its content: skip whatever of its body is still unread
      fail(e, ex.unreadAfter(part));
      if (ex.header.command() == Command.PEER_AUTH_PROVE) {
        socket.close(); // one guess per connection
      }
    }
  }

  @Override
  public void onBodyChunk(Buffer chunk) {
    WriteStream<Buffer> sink = current == null ? null : current.sink;
    if (sink == null) {
      if (ownedChunk) {
        OwnedWrites.byteBuf(chunk).release();
      }
      return;
    }
    if (ownedChunk) {
      ((OwnedWrites) sink).writeOwned(chunk);
    } else {
      sink.write(chunk);
    }
    if (sink.writeQueueFull()) {
      decoder.pause();
      pauseSocket();
      sink.drainHandler(
          v -> {
            // the decoder's unread bytes first: reads Vert.x queued meanwhile arrive (in
            // resumeSocket) with the decoder empty, so their body bytes are taken without a copy
            decoder.resume();
            if (!decoder.paused()) {
              resumeSocket();
            }
          });
    }
  }

  @Override
  public void onBodyEnd() {
    if (current != null && current.bodyReceived != null) {
      current.bodyReceived.tryComplete();
    }
  }

  @Override
  public void onDiscarded() {
    if (closeAfterDiscard) {
      decoder.close();
      socket.close();
      return;
    }
    nextRequest();
  }

  // ---- what one request asks of the connection (see ConnectionExchange) ----------------------

  /**
   * Whether the connection ended. Also true as soon as Netty closed the channel, before the close
   * handler runs (a later event-loop task): a peer's copy asks this from the packed committer's
   * thread ({@link NewBlob#sourceGone}), and an end of stream read together with a copy's trailer
   * shows here before that task.
   */
  boolean isClosed() {
    return closed || (channel != null && !channel.isOpen());
  }

  /** Streams the next {@code length} body bytes to the current request's sink. */
  void streamBody(long length) {
    decoder.streamBody(length); // what the decoder holds first (see the drain handler)
    if (!decoder.paused()) {
      resumeSocket(); // it may have been paused while we waited on a lock or a stat
    }
  }

  // ---- answers -------------------------------------------------------------------------------

  void reply(StorageReply r) {
    if (!closed) {
      socket.write(StorageCodec.encodeReply(r));
    }
    nextRequest();
  }

  void fail(Throwable err, long unreadBody) {
    int errno = err instanceof FdfsException f ? f.errno() : Errno.EIO;
    node.events.error("fdfs", errno);
    guard.logError(errno, current == null ? -1 : current.header.commandCode(), err);
    if (closed) {
      return;
    }
    socket.write(PacketHeader.status(errno));
    if (unreadBody <= 0) {
      nextRequest();
    } else if (unreadBody <= DRAIN_LIMIT) {
      resumeSocket();
      decoder.resume();
      decoder.discard(unreadBody);
    } else {
      socket.end();
    }
  }

  /**
   * Answers and closes. Closing with unread bytes in the socket makes the kernel reset the
   * connection, which can destroy the answer before the client reads it; so the rest of a modest
   * body is read and dropped first, for a short grace period at most.
   */
  private void rejectAndClose(int errno, String message) {
    guard.logError(
        errno,
        current == null ? -1 : current.header.commandCode(),
        new FdfsException(errno, message));
    socket.write(PacketHeader.status(errno));
    long declared = current == null ? 0 : current.header.bodyLength();
    if (declared <= 0 || declared > CLOSE_DRAIN_LIMIT) {
      decoder.close();
      socket.close();
      return;
    }
    closeAfterDiscard = true;
    resumeSocket();
    decoder.resume();
    decoder.discard(declared);
    vertx.setTimer(CLOSE_GRACE_MS, t -> socket.close());
  }

  void nextRequest() {
    current = null;
    if (closed) {
      return;
    }
    resumeSocket();
    decoder.nextRequest();
  }

  private void pauseSocket() {
    if (!socketPaused) {
      socketPaused = true;
      guard.heldBack();
      socket.pause();
    }
  }

  private void resumeSocket() {
    if (socketPaused && !closed) {
      socketPaused = false;
      socket.resume();
    }
  }
}
