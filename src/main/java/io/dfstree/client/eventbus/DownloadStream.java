package io.dfstree.client.eventbus;

import io.dfstree.protocol.FrameDecoder;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A download's body as a {@link ReadStream}. Nothing is read before a handler is set; pausing (or
 * running out of fetched demand) pauses the decoder and the TCP socket, so the storage's {@code
 * sendFile} is held back by TCP flow control. The connection closes at the end.
 */
final class DownloadStream implements ReadStream<Buffer> {
  private final StorageChannel channel;
  private final FrameDecoder decoder;
  private final long length;
  private volatile Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private volatile long demand = Long.MAX_VALUE;
  private boolean started;
  private boolean ended;
  private Throwable failure;

  DownloadStream(StorageChannel channel, FrameDecoder decoder, long length) {
    this.channel = channel;
    this.decoder = decoder;
    this.length = length;
    channel.pauseSocket(); // until someone reads
  }

  /** Bytes the storage announced. */
  long length() {
    return length;
  }

  @Override
  public synchronized DownloadStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    if (failure != null && h != null) {
      h.handle(failure);
    }
    return this;
  }

  @Override
  public DownloadStream handler(Handler<Buffer> h) {
    handler = h;
    if (h != null) {
      channel.run(this::startIfReady);
    }
    return this;
  }

  @Override
  public DownloadStream pause() {
    demand = 0;
    channel.run(
        () -> {
          if (demand == 0) {
            decoder.pause();
            channel.pauseSocket();
          }
        });
    return this;
  }

  @Override
  public DownloadStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public DownloadStream fetch(long amount) {
    if (amount > 0) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      channel.run(
          () -> {
            if (started) {
              channel.resumeSocket();
              decoder.resume();
            } else {
              startIfReady();
            }
          });
    }
    return this;
  }

  @Override
  public DownloadStream endHandler(Handler<Void> h) {
    endHandler = h;
    if (ended && h != null) {
      h.handle(null);
    }
    return this;
  }

  private void startIfReady() {
    if (started || handler == null || demand == 0) {
      return;
    }
    started = true;
    channel.resumeSocket();
    decoder.streamBody(length); // delivers bytes already buffered, then follows the socket
  }

  void emit(Buffer chunk) {
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    Handler<Buffer> h = handler;
    if (h != null) {
      h.handle(chunk);
    }
    if (demand == 0) {
      decoder.pause();
      channel.pauseSocket();
    }
  }

  void end() {
    ended = true;
    channel.close();
    Handler<Void> h = endHandler;
    if (h != null) {
      h.handle(null);
    }
  }

  void fail(Throwable err) {
    if (ended) {
      return;
    }
    failure = err;
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(err);
    }
  }
}
