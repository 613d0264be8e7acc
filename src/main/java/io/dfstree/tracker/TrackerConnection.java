package io.dfstree.tracker;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.WholeFrames;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket of the tracker: the storage port's {@code FrameDecoder}, through {@link
 * WholeFrames}, reading each request whole (tracker bodies are small and bounded by {@code
 * maxRequestBytes}) for {@link TrackerCommands}, each reply written as one complete header+body
 * buffer (the Java client reads the header in a single read). A client's mistake costs one log
 * line; only a broken stream closes the socket.
 */
public final class TrackerConnection implements WholeFrames.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerConnection.class);

  /** Client mistakes: one line per kind per interval, with a count. */
  private static final io.dfstree.protocol.RateLimitedLog MISTAKES =
      new io.dfstree.protocol.RateLimitedLog(
          LOG, io.dfstree.protocol.ClientLimits.DEFAULT_LOG_INTERVAL_MS);

  private final Vertx vertx;
  private final NetSocket socket;
  private final TrackerCommands commands;
  private final long bodyTimeoutMs;
  private final LongSupplier clock;
  private final WholeFrames framer;
  private final String peer;
  private final Runnable quickAck;
  private long lastProgressMs;
  private long bodyTimer = -1;
  private boolean closed;
  private io.dfstree.protocol.ClientWatch watch;
  private Runnable onClose = () -> {};

  /**
   * @param bodyTimeoutMs close when a started request body makes no progress for this long
   * @param clock wall clock in ms, for the sync rule and the body timeout
   */
  public TrackerConnection(
      Vertx vertx,
      NetSocket socket,
      TrackerCommands commands,
      int maxRequestBytes,
      long bodyTimeoutMs,
      LongSupplier clock) {
    this.vertx = vertx;
    this.socket = socket;
    this.commands = commands;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.clock = clock;
    this.peer = String.valueOf(socket.remoteAddress());
    this.framer = new WholeFrames(maxRequestBytes, this);
    this.quickAck = io.dfstree.protocol.QuickAck.forSocket(socket);
  }

  /**
   * Applies the port's limits (idle and trickle timeouts, io.dfstree.protocol.ClientWatch); {@code
   * onClose} runs once the socket is closed (it gives back the connection slot).
   */
  public TrackerConnection limits(io.dfstree.protocol.ClientLimits limits, Runnable onClose) {
    this.watch =
        new io.dfstree.protocol.ClientWatch(
            vertx,
            limits,
            () ->
                framer.readingBody()
                    ? io.dfstree.protocol.ClientPace.Phase.READING
                    : io.dfstree.protocol.ClientPace.Phase.IDLE,
            reason -> {
              MISTAKES.info("pace", "tracker client " + peer + ": " + reason + ", closing");
              close();
            });
    this.onClose = onClose;
    return this;
  }

  /** Starts reading from the socket. */
  public void start() {
    socket.handler(this::onBytes);
    socket.closeHandler(
        v -> {
          if (watch != null) {
            watch.stop();
          }
          onClose.run();
          closed = true;
          boolean midRequest = framer.readingBody();
          framer.close();
          cancelBodyTimer();
          if (midRequest) {
            LOG.info(
                "tracker client {} closed mid-request (command {})",
                peer,
                framer.header().commandCode());
          }
        });
    socket.exceptionHandler(t -> LOG.info("tracker client {}: {}", peer, t.toString()));
  }

  private void onBytes(Buffer chunk) {
    lastProgressMs = clock.getAsLong();
    if (watch != null) {
      watch.received(chunk.length());
    }
    framer.feed(chunk);
    if (!closed && framer.readingBody()) {
      quickAck
          .run(); // the body may be held by the client's Nagle until this header is acknowledged
      if (bodyTimer < 0) {
        armBodyTimer(bodyTimeoutMs);
      }
    }
  }

  @Override
  public void onFrame(PacketHeader header, Buffer body) {
    cancelBodyTimer();
    Reply reply = commands.execute(header.commandCode(), body, clock.getAsLong());
    if (reply.bytes() != null) {
      socket.write(reply.bytes());
    }
    if (reply.close()) {
      close();
    } else {
      framer.next();
    }
  }

  @Override
  public void onBadLength(PacketHeader header) {
    int command = header.commandCode();
    long declaredLength = header.bodyLength();
    MISTAKES.info(
        "length/" + command,
        "tracker client "
            + peer
            + ": command "
            + command
            + " declares body length "
            + declaredLength
            + ", closing");
    socket.write(Reply.error(Errno.EINVAL).bytes());
    close();
  }

  private void close() {
    closed = true;
    framer.close();
    cancelBodyTimer();
    socket.close();
  }

  /**
   * Idle time between requests is fine; a body that stops arriving would tie up the socket forever.
   */
  private void armBodyTimer(long delayMs) {
    bodyTimer =
        vertx.setTimer(
            Math.max(1, delayMs),
            id -> {
              bodyTimer = -1;
              if (closed || !framer.readingBody()) {
                return;
              }
              long idle = clock.getAsLong() - lastProgressMs;
              if (idle >= bodyTimeoutMs) {
                LOG.info("tracker client {}: request body stalled for {} ms, closing", peer, idle);
                close();
              } else {
                armBodyTimer(bodyTimeoutMs - idle);
              }
            });
  }

  private void cancelBodyTimer() {
    if (bodyTimer >= 0) {
      vertx.cancelTimer(bodyTimer);
      bodyTimer = -1;
    }
  }
}
