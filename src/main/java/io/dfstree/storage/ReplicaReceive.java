package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest.ReplicaUpload;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy arriving from a peer's upload (REPLICA_UPLOAD, command 120): its content is received into
 * a blob of the engine and forced while the source finishes its own copy; the trailer then names
 * it, and it is placed under that name. The source counts our answer towards its write quorum.
 */
final class ReplicaReceive {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaReceive.class);

  private ReplicaReceive() {}

  /**
   * Completes with {@code n} on a later turn of the connection's event loop. A source that hung up
   * right behind its trailer (a stalled member finding both in its socket buffer) has its end of
   * stream in the same epoll event as the trailer: Netty reads it and closes the channel before it
   * runs the loop's tasks, so after this turn {@link StorageExchange#closed} (which asks the
   * channel, not only the close handler, itself a later task) sees the hang-up whatever the
   * engine's force took. The disk-pool turn a packed copy's force used to take only made this
   * likely; the flaky {@code GroupReplicationTest.aReplicaWhoseSourceHungUp...} was the sign.
   */
  private static Future<Long> afterThisRead(Context ctx, long n) {
    Promise<Long> later = Promise.promise();
    ctx.runOnContext(v -> later.complete(n));
    return later.future();
  }

  static void run(StorageNode node, Context ctx, ReplicaUpload r, StorageExchange ex) {
    StoredFiles files = node.files;
    long size = r.size();
    NewBlob in =
        node.engines.forNew(size, false).receive(files.paths().get(r.storePathIndex()).index, size);
    in.sourceGone(ex::closed); // asked again when the copy is placed: see NewBlob#sourceGone
    ex.receive(size, in)
        .onComplete(
            received -> {
              if (received.failed()) {
                in.abort(); // the source went away before naming the file
                return; // connection closed: nobody to answer
              }
              // force the data now, while the source finishes its own copy; the trailer only names
              // it
              Future<Long> data = in.force();
              ex.trailer()
                  .onComplete(
                      t -> {
                        if (t.failed()) {
                          in.abort();
                          return; // closed before the trailer
                        }
                        FileId id;
                        try {
                          id = files.validate(files.group(), t.result().name());
                        } catch (FdfsException e) {
                          in.abort();
                          ex.fail(e);
                          return;
                        }
                        long mtime = t.result().mtimeSeconds();
                        files.placing(id.remoteName(), true);
                        data.compose(n -> afterThisRead(ctx, n))
                            .compose(
                                n -> {
                                  if (ex.closed()) {
                                    // the source hung up before we could answer: it gave up on us
                                    // (replicaTimeoutMs, say,
                                    // while this process was stalled with the whole copy already in
                                    // its socket buffer) and
                                    // counted this copy as missing; with whenDegraded = refuse it
                                    // removed its own. Placing
                                    // it would leave a file nobody acknowledged, which catch-up
                                    // could even copy back to the
                                    // source. If the source kept the file, its binlog brings it
                                    // here again.
                                    LOG.warn(
                                        "storage: replica {} dropped: its source {} closed the connection before it was placed",
                                        id.remoteName(),
                                        ex.remote());
                                    return Future.failedFuture(
                                        new FdfsException(
                                            Errno.EIO, "source closed the connection"));
                                  }
                                  return in.placeCopy(ctx, id, mtime, false);
                                })
                            .onComplete(
                                ar -> {
                                  files.placing(id.remoteName(), false);
                                  node.countBytes(
                                      StorageCounters.TOTAL_SYNC_IN_BYTES,
                                      data.succeeded() ? data.result() : 0,
                                      ar.succeeded());
                                  if (ar.succeeded()) {
                                    node.lastSyncUpdate = System.currentTimeMillis() / 1000;
                                    ex.reply(new StorageReply.Empty());
                                  } else {
                                    in.abort();
                                    ex.fail(ar.cause());
                                  }
                                });
                      });
            });
  }
}
