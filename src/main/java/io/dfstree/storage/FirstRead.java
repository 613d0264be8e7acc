package io.dfstree.storage;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Sizes the first socket reads of a client connection for a whole small request. Netty starts
 * every connection with a 2 KiB read buffer and grows it only after a read filled it, so a 4 KiB
 * upload (10-byte header, 15 bytes of fields, 4,096 bytes of content) that arrived in one TCP
 * segment took two {@code recvfrom}s, two passes through the pipeline and the decoder, and a
 * {@code TCP_QUICKACK} re-arm between them (the request was only partly read). The official client
 * opens a connection per operation, so no connection lived long enough for the adaptive buffer to
 * learn: every upload paid for the first read. Starting at {@link #INITIAL} bytes reads a request
 * of up to that size in one call; the buffer still adapts within Netty's usual bounds (64 B to 64
 * KiB) afterwards. The buffers are pooled, so a larger first buffer costs no allocation per read;
 * only the bytes read are copied out. Not the socket's {@code SO_RCVBUF} (Vert.x's {@code
 * receiveBufferSize} sets that too, and a fixed kernel buffer would slow large uploads).
 */
final class FirstRead {
  /** Enough for a request with up to 16 KiB of content, header and fields included. */
  static final int INITIAL = 16 * 1024 + 64;

  private static final AdaptiveRecvByteBufAllocator SIZED =
      new AdaptiveRecvByteBufAllocator(64, INITIAL, 65536);

  private FirstRead() {}

  /**
   * Call from the connect handler, before the first read (Netty creates a channel's read-size
   * guesser on its first read, from the allocator set then). A no-op for sockets that are not
   * Netty channels.
   */
  static void sizeFor(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      Channel ch = internal.channelHandlerContext().channel();
      ch.config().setRecvByteBufAllocator(SIZED);
    }
  }
}
