package io.dfstree.storage;

import io.vertx.core.net.NetSocket;

/** The storage's name for {@link io.dfstree.server.QuickAck} (shared with the tracker). */
final class QuickAck {
  private QuickAck() {}

  static Runnable forSocket(NetSocket socket) {
    return io.dfstree.server.QuickAck.forSocket(socket);
  }
}
