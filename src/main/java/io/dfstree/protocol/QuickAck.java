package io.dfstree.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Re-arms TCP_QUICKACK while a request is only partly received. FastDFS clients (the official Java
 * client among them, and clients in other languages that write a request's header and body
 * separately) do not set TCP_NODELAY: Nagle holds the second write until the first is acknowledged,
 * and Linux delays that acknowledgement (40 ms) in request/response traffic. Linux clears quick-ack
 * mode by itself, so it is set again after each read; setting it also sends an acknowledgement that
 * is pending right away. A no-op without the native epoll transport. Used by the storage and the
 * tracker listeners.
 *
 * <p>The peer may have closed or reset the connection by the time a read is handled (a client that
 * sends and vanishes: the fuzz test does it thousands of times); setting the option on a closed
 * socket then fails, and there is nothing left to acknowledge, so that is not an error.
 */
public final class QuickAck {
  private QuickAck() {}

  public static Runnable forSocket(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      Channel ch = internal.channelHandlerContext().channel();
      if (ch instanceof EpollSocketChannel epoll) {
        return () -> {
          if (!epoll.isOpen()) {
            return;
          }
          try {
            epoll.config().setTcpQuickAck(true);
          } catch (ChannelException closedMeanwhile) {
            // closed between the check and the call: nothing left to acknowledge
          }
        };
      }
    }
    return () -> {};
  }
}
