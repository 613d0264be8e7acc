package io.dfstree.storage;

import io.vertx.core.net.NetSocket;

/** The storage's name for {@link io.dfstree.protocol.QuickAck} (shared with the tracker). */
final class QuickAck {
  private QuickAck() {}

  static Runnable forSocket(NetSocket socket) {
    return io.dfstree.protocol.QuickAck.forSocket(socket);
  }
}
