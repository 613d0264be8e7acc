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
  private boolean closed;
  private boolean closeAfterDiscard;

  StorageConnection(Vertx vertx, NetSocket socket, StorageNode node) {
    this.vertx = vertx;
    this.socket = socket;
    this.node = node;
    this.commands = new StorageCommands(node, vertx.getOrCreateContext());
    this.remote = String.valueOf(socket.remoteAddress());
    this.quickAck = QuickAck.forSocket(socket);
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
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(
        e -> LOG.debug("storage: connection {} error: {}", remote, e.toString()));
  }

  private void onData(Buffer data) {
    guard.received(data.length());
    decoder.feed(data);
    if (decoder.state() == FrameDecoder.State.FIXED || decoder.state() == FrameDecoder.State.BODY) {
      quickAck.run();
    }
    if (!closed && (decoder.paused() || decoder.buffered() > MAX_UNREAD)) {
      pauseSocket();
    }
    if (current != null && current.sink instanceof QueuedWrites q) {
      guard.flushIfStalled(q::flushQueued);
    }
  }

  private void onClosed() {
    closed = true;
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
    long len = h.bodyLength();
    if (len < 0) {
      rejectAndClose(Errno.EINVAL, "negative body length");
      return;
    }
    if (!guard.mayUse(h.command())) {
      rejectAndClose(Errno.EACCES, "command " + h.commandCode() + " is for group members only");
      return;
    }
    int prefix = StorageCodec.prefixLength(h.command());
    if (prefix == StorageCodec.UNKNOWN) {
      fail(new FdfsException(Errno.EINVAL, "unknown command " + h.commandCode()), len);
    } else if (prefix == StorageCodec.NO_BODY) {
      if (h.command() == Command.QUIT) {
        socket.close();
      } else if (len == 0) {
        reply(new StorageReply.Empty());
      } else {
        fail(new FdfsException(Errno.EINVAL, "active test with a body"), len);
      }
    } else if (prefix == StorageCodec.WHOLE_BODY) {
      if (len > node.options.maxRequestBytes()) {
        rejectAndClose(
            Errno.EINVAL,
            "declared length "
                + len
                + " over the limit "
                + node.options.maxRequestBytes()
                + " for command "
                + h.commandCode());
      } else {
        current.part = ConnectionExchange.Part.WHOLE;
        decoder.expectFixed((int) len);
      }
    } else if (len < prefix) {
      fail(
          FdfsException.invalid(
              "body of "
                  + len
                  + " bytes is shorter than the "
                  + prefix
                  + "-byte prefix of command "
                  + h.commandCode()),
          len);
    } else {
      current.part = ConnectionExchange.Part.PREFIX;
      decoder.expectFixed(prefix);
    }
  }

  @Override
  public void onFixed(Buffer part) {
    ConnectionExchange ex = current;
    PacketHeader h = ex.header;
    try {
      switch (ex.part) {
        case PREFIX -> {
          int name = StorageCodec.nameLength(h, part);
          if (name > 0) {
            ex.prefix = part;
            ex.part = ConnectionExchange.Part.NAME;
            decoder.expectFixed(name);
          } else {
            dispatch(ex, StorageCodec.decode(h, part));
          }
        }
        case NAME -> dispatch(ex, StorageCodec.decode(h, ex.prefix.copy().appendBuffer(part)));
        case WHOLE -> dispatch(ex, StorageCodec.decode(h, part));
        case TRAILER -> ex.trailer.tryComplete(StorageCodec.decodeTrailer(part));
      }
    } catch (FdfsException e) {
      // a request refused before its content: skip whatever of its body is still unread
      long fixedRead =
          part.length() + (ex.part == ConnectionExchange.Part.NAME ? ex.prefix.length() : 0);
      long unread =
          ex.bodyStarted
                  || ex.part == ConnectionExchange.Part.WHOLE
                  || ex.part == ConnectionExchange.Part.TRAILER
              ? 0
              : h.bodyLength() - fixedRead;
      fail(e, unread);
    }
  }

  private void dispatch(ConnectionExchange ex, StorageRequest req) {
    ex.content = req.contentLength();
    if (req instanceof StorageRequest.PeerAuthChallenge) {
      reply(new StorageReply.Challenge(guard.challenge().getBytes()));
    } else if (req instanceof StorageRequest.PeerAuthProve p) {
      try {
        guard.verify(Buffer.buffer(p.proof()));
        reply(new StorageReply.Empty());
      } catch (FdfsException e) {
        fail(e, 0);
        socket.close(); // one guess per connection
      }
    } else {
      commands.execute(req, ex);
    }
  }

  @Override
  public void onBodyChunk(Buffer chunk) {
    WriteStream<Buffer> sink = current == null ? null : current.sink;
    if (sink == null) {
      return;
    }
    sink.write(chunk);
    if (sink.writeQueueFull()) {
      decoder.pause();
      pauseSocket();
      sink.drainHandler(
          v -> {
            resumeSocket();
            decoder.resume();
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

  boolean isClosed() {
    return closed;
  }

  /** Streams the next {@code length} body bytes to the current request's sink. */
  void streamBody(long length) {
    resumeSocket(); // it may have been paused while we waited on a lock or a stat
    decoder.streamBody(length);
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
