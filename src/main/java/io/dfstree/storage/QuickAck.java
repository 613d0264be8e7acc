package io.dfstree.storage;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Re-arms TCP_QUICKACK while a request is only partly received. FastDFS clients (the official
 * Java client among them) write the header and the file content in separate writes without
 * TCP_NODELAY: Nagle holds the content until the header is acknowledged, and Linux delays that
 * acknowledgement (40 ms) in request/response traffic. Linux clears quick-ack mode by itself, so
 * it is set again after each read. A no-op without the native epoll transport.
 */
final class QuickAck {
  private QuickAck() {}

  static Runnable forSocket(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      Channel ch = internal.channelHandlerContext().channel();
      if (ch instanceof EpollSocketChannel epoll) {
        return () -> epoll.config().setTcpQuickAck(true);
      }
    }
    return () -> { };
  }
}
