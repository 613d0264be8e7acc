package io.dfstree.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Content written to a local file and, as it arrives, to the write-quorum peers; full while either
 * is.
 */
final class Tee implements WriteStream<Buffer>, QueuedWrites {
  private final WriteStream<Buffer> local;
  private final Replication.Fanout peers;

  Tee(WriteStream<Buffer> local, Replication.Fanout peers) {
    this.local = local;
    this.peers = peers;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Future<Void> f = local.write(data);
    peers.write(data);
    return f;
  }

  @Override
  public void flushQueued() {
    if (local instanceof QueuedWrites q) {
      q.flushQueued();
    }
  }

  @Override
  public boolean writeQueueFull() {
    return local.writeQueueFull() || peers.writeQueueFull();
  }

  @Override
  public Tee drainHandler(Handler<Void> handler) {
    if (handler == null) {
      local.drainHandler(null);
    } else if (local.writeQueueFull()) {
      local.drainHandler(handler);
    } else {
      peers.drainHandler(handler);
    }
    return this;
  }

  @Override
  public Tee exceptionHandler(Handler<Throwable> handler) {
    local.exceptionHandler(handler);
    return this;
  }

  @Override
  public Tee setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public Future<Void> end() {
    return local.end();
  }
}
