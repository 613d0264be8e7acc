package io.dfstree.storage;

import io.dfstree.protocol.HostFilter;
import io.dfstree.protocol.SameLoopListener;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * One FastDFS protocol listener on its own event loop; several share the storage port. On native
 * epoll each binds a socket of its own ({@code SO_REUSEPORT}) and accepts on its event loop
 * ({@link SameLoopListener}): the official client opens a storage connection per operation, and
 * Vert.x's {@code NetServer} would accept every one on its single acceptor thread and hand it to
 * this loop. Elsewhere, Vert.x's {@code NetServer}, which Vert.x closes with the verticle.
 */
final class StorageServerVerticle extends VerticleBase {
  private final StorageNode node;
  private SameLoopListener listener;

  StorageServerVerticle(StorageNode node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    HostFilter allowed = new HostFilter(node.options.allowHosts());
    NetServerOptions options =
        new NetServerOptions()
            .setHost(node.options.host())
            .setPort(node.options.port())
            .setTcpNoDelay(true)
            // no TCP_QUICKACK at accept: a new connection is not in delayed-ack (pingpong) mode,
            // and its first data segments are acknowledged at once; StorageConnection re-arms
            // quick-ack after each read that leaves a request incomplete (QuickAck), which is
            // where a client's Nagle-held second write waits. One setsockopt less per connection.
            .setReuseAddress(true);
    if (SameLoopListener.available(vertx)) {
      // a socket per listener: StorageVerticle checked that the port was free before they bound
      options.setReusePort(true);
      return SameLoopListener.listen(context, options, socket -> onConnect(allowed, socket))
          .onSuccess(l -> listener = l);
    }
    return vertx
        .createNetServer(options)
        .connectHandler(socket -> onConnect(allowed, socket))
        .listen();
  }

  @Override
  public Future<?> stop() {
    return listener == null ? Future.succeededFuture() : listener.close();
  }

  private void onConnect(HostFilter allowed, NetSocket socket) {
    if (!allowed.allows(socket.remoteAddress().hostAddress())) {
      socket.close();
      return;
    }
    if (!node.cap.tryOpen(node.limits.maxConnections())) {
      node.clientLog.warn(
          "cap",
          "storage: "
              + node.limits.maxConnections()
              + " connections open, refusing "
              + socket.remoteAddress()
              + " with EBUSY");
      io.dfstree.protocol.ClientWatch.refuse(vertx, socket);
      return;
    }
    FirstRead.sizeFor(socket);
    new StorageConnection(vertx, socket, node).start();
  }
}
