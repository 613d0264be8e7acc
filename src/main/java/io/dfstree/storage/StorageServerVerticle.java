package io.dfstree.storage;

import io.dfstree.protocol.HostFilter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;

/** One FastDFS protocol listener on its own event loop; several share the storage port. */
final class StorageServerVerticle extends VerticleBase {
  private final StorageNode node;

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
    return vertx
        .createNetServer(options)
        .connectHandler(
            socket -> {
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
            })
        .listen();
  }
}
