package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A new file, whatever protocol brings it (FastDFS upload, HTTP body, multipart part, WebSocket
 * frames): one pipeline — a {@link NewBlob} of the engine that takes it, written with
 * back-pressure, streamed to the write-quorum peers while it arrives when its size is known up
 * front (else sent to them from disk once it is complete), placed here while the peers place
 * theirs, recorded in the binlog, acknowledged once the quorum holds it. Use it on one event loop:
 * {@link #open()}, write, then {@link #complete()} or {@link #abort()}.
 */
public final class Upload implements WriteStream<Buffer>, QueuedWrites, OwnedWrites {
  /** What the client is told about a stored file. */
  public record Stored(String group, String remoteName, long size, long crc32) {
    public String fileId() {
      return group + "/" + remoteName;
    }
  }

  private final StorageNode node;
  private final Context ctx;
  private final long declared;
  private final String ext;
  private final StorePath path;
  private final NewBlob stream;
  private Replication.Fanout fanout;

  /**
   * CRC32 computed as bytes pass when they are streamed to peers: the name is chosen at the last
   * byte.
   */
  private java.util.zip.CRC32 crcOnLoop;

  private long received;
  private boolean finished;

  Upload(StorageNode node, Context ctx, long declaredSize, String ext) {
    this(node, ctx, declaredSize, ext, false, -1);
  }

  /**
   * @param appender an appender file (FastDFS command 23)
   * @param requestedPath the store path the client asked for, -1 to let the storage choose
   */
  Upload(
      StorageNode node,
      Context ctx,
      long declaredSize,
      String ext,
      boolean appender,
      int requestedPath) {
    this.node = node;
    this.ctx = ctx;
    this.declared = declaredSize;
    this.ext = ext;
    this.path = node.files.paths().choose(requestedPath, Math.max(0, declaredSize));
    this.stream =
        node.engines
            .forNew(declaredSize < 0 ? Long.MAX_VALUE : declaredSize, appender)
            .create(path.index, declaredSize, appender, ext);
  }

  /**
   * Opens the streams to the quorum peers (only when the size is known: their prefix carries it).
   */
  public Future<Void> open() {
    if (declared < 0) {
      return node.replication.admit(); // its peers get it once it is complete (see complete())
    }
    return node.replication
        .openFanout(declared, path.index)
        .map(
            f -> {
              fanout = f;
              if (f != null) {
                crcOnLoop = new java.util.zip.CRC32();
                stream.withoutCrc();
              }
              return null;
            });
  }

  @Override
  public void flushQueued() {
    if (stream instanceof QueuedWrites q) {
      q.flushQueued();
    }
  }

  /** Completed or aborted (counted either way). */
  boolean finished() {
    return finished;
  }

  /** Bytes written so far. */
  public long received() {
    return received;
  }

  @Override
  public Future<Void> write(Buffer data) {
    received += data.length();
    if (declared >= 0 && received > declared) {
      return Future.failedFuture(
          FdfsException.invalid("more than the declared " + declared + " bytes"));
    }
    Future<Void> f = stream.write(data);
    if (fanout != null) {
      fanout.write(data);
      crcOnLoop.update(
          ((io.vertx.core.internal.buffer.BufferInternal) data).getByteBuf().nioBuffer());
    }
    return f;
  }

  /** True when the engine's blob takes owned chunks (a file; a packed slot copies them anyway). */
  @Override
  public boolean takesOwned() {
    return stream instanceof OwnedWrites o && o.takesOwned();
  }

  /**
   * As {@link #write}, taking over {@code data}'s reference: the peers' sockets take references of
   * their own (see {@code PeerConnection#write}), the CRC32 reads it here, and the blob releases it
   * once written. The copies to the peers go first, so a blob that fails and releases at once
   * cannot free bytes still to be sent.
   */
  @Override
  public Future<Void> writeOwned(Buffer data) {
    received += data.length();
    if (declared >= 0 && received > declared) {
      OwnedWrites.byteBuf(data).release();
      return Future.failedFuture(
          FdfsException.invalid("more than the declared " + declared + " bytes"));
    }
    if (fanout != null) {
      fanout.write(data);
      crcOnLoop.update(
          ((io.vertx.core.internal.buffer.BufferInternal) data).getByteBuf().nioBuffer());
    }
    return ((OwnedWrites) stream).writeOwned(data);
  }

  @Override
  public boolean writeQueueFull() {
    return stream.writeQueueFull() || (fanout != null && fanout.writeQueueFull());
  }

  @Override
  public Upload drainHandler(Handler<Void> handler) {
    if (handler == null) {
      stream.drainHandler(null);
      return this;
    }
    Handler<Void> again =
        v -> {
          if (writeQueueFull()) {
            drainHandler(handler);
          } else {
            handler.handle(null);
          }
        };
    if (stream.writeQueueFull()) {
      stream.drainHandler(again);
    } else if (fanout != null && fanout.writeQueueFull()) {
      fanout.drainHandler(again);
    } else {
      ctx.runOnContext(handler);
    }
    return this;
  }

  @Override
  public Upload exceptionHandler(Handler<Throwable> handler) {
    stream.exceptionHandler(handler);
    return this;
  }

  @Override
  public Upload setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  /** Use {@link #complete()}: ending a pipe is not the same as naming a file. */
  @Override
  public Future<Void> end() {
    return complete().mapEmpty();
  }

  /**
   * All bytes are in: fsync, name, link into place, wait for the quorum. Failure leaves nothing
   * behind.
   */
  public Future<Stored> complete() {
    if (finished) {
      return Future.failedFuture(new FdfsException(Errno.EALREADY, "upload already finished"));
    }
    finished = true;
    if (declared >= 0 && received != declared) {
      FdfsException e =
          FdfsException.invalid("received " + received + " of the declared " + declared + " bytes");
      return discard().transform(x -> Future.failedFuture(e));
    }
    Replication.Fanout f = fanout;
    fanout = null;
    long size = received;
    // streamed to peers: placed here while they place theirs, as a FastDFS upload is
    Future<String> placed =
        f != null
            ? node.replication.placeWithPeers(ctx, f, stream, (int) crcOnLoop.getValue())
            : stream.place();
    return placed
        .compose(
            remote ->
                f != null || declared >= 0
                    ? Future.succeededFuture(remote)
                    // size unknown until now: the placed file goes to the peers from disk, same
                    // quorum
                    : node.replication
                        .pushPlaced(node.files.validate(node.files.group(), remote), size)
                        .compose(pushed -> node.replication.await(ctx, pushed, remote)))
        .transform(
            ar -> {
              node.count(StorageCounters.TOTAL_UPLOAD, ar.succeeded());
              node.countBytes(StorageCounters.TOTAL_UPLOAD_BYTES, size, ar.succeeded());
              if (ar.failed()) {
                if (f != null) {
                  f.abort();
                }
                return discard().transform(x -> Future.failedFuture(ar.cause()));
              }
              node.lastSourceUpdate = System.currentTimeMillis() / 1000;
              String remote = ar.result();
              return Future.succeededFuture(
                  new Stored(
                      node.files.group(), remote, size, FileName.decode(remote).crc32Unsigned()));
            });
  }

  /** The client went away or broke a rule: the temp file is removed and nothing is stored. */
  public Future<Void> abort() {
    if (finished) {
      return Future.succeededFuture();
    }
    finished = true;
    node.count(StorageCounters.TOTAL_UPLOAD, false);
    return discard();
  }

  private Future<Void> discard() {
    if (fanout != null) {
      fanout.abort();
      fanout = null;
    }
    return stream.abort();
  }
}
