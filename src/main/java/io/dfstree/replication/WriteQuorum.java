package io.dfstree.replication;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.NewBlob;
import io.dfstree.storage.ReplicaStore;
import io.dfstree.storage.Replication.Fanout;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of every new upload, whatever protocol brought it: name the file to the peers and count
 * their copies.
 */
final class WriteQuorum {
  private static final Logger LOG = LoggerFactory.getLogger(WriteQuorum.class);

  private WriteQuorum() {}

  /**
   * Names the file to the peers and waits for their copies. Fewer acknowledgements than the quorum:
   * accepted with a warning (peers catch up from the binlog), or, when the group refuses degraded
   * writes, the local copy is removed and the caller gets an error.
   */
  static Future<String> await(ReplicaStore node, Context ctx, Fanout f, String remoteName) {
    if (f == null) {
      return Future.succeededFuture(remoteName);
    }
    // a generated name carries its creation time; a slave's name carries its master's, so the
    // peers get the real time (their copy's mtime, and what a later delete is compared with)
    long mtime =
        remoteName.length() == FileName.NORMAL_NAME_LEN
            ? FileName.decode(remoteName).createTime() & 0xFFFFFFFFL
            : ReplicaStore.now();
    return f.finish(remoteName, mtime).compose(acks -> judge(node, ctx, f, remoteName, acks));
  }

  /**
   * Places a new upload that was streamed to peers: the name is chosen as soon as the last byte is
   * in (its CRC32 was computed as the bytes passed), so the local copy is placed while the peers
   * place theirs, instead of one after the other.
   */
  static Future<String> placeWithPeers(
      ReplicaStore node, Context ctx, Fanout f, NewBlob upload, int crc32) {
    long now = System.currentTimeMillis() / 1000;
    String remote = upload.name(crc32, now);
    if (f instanceof ReplicaFanout r && r.isPush()) {
      // a write quorum of 1: the peers are named the file once this copy is placed (never a copy
      // there of a file that failed here), and the client does not wait for them; their answers
      // only return the connections to the pool. The copies go out in the next task on the
      // context, after this one's continuations answered the client: sent first, a copy put its
      // sendto (on loopback also the peer's receive path and wake-up) in front of every client's
      // answer (benchmark/PROFILE.md, w1grp). Catch-up still backs up a copy that never leaves.
      return upload
          .placeAs(remote, now)
          .andThen(
              ar -> {
                if (ar.succeeded()) {
                  ctx.runOnContext(v -> f.finish(remote, now));
                } else {
                  f.abort();
                }
              });
    }
    Future<String> local = upload.placeAs(remote, now);
    Future<Integer> peers = f.finish(remote, now);
    return Future.join(local, peers)
        .transform(
            ar ->
                local.failed()
                    ? Future.failedFuture(local.cause())
                    : judge(node, ctx, f, remote, peers.result()));
  }

  private static Future<String> judge(
      ReplicaStore node, Context ctx, Fanout f, String remoteName, int acks) {
    ReplicaStore files = node;
    {
      if (acks >= f.required() && acks >= node.options().writeQuorum() - 1) {
        return Future.succeededFuture(remoteName);
      }
      int copies = acks + 1;
      if (node.options().refusesWhenDegraded()) {
        LOG.warn(
            "storage: upload {} reached {} of {} copies; refused and removed",
            remoteName,
            copies,
            node.options().writeQuorum());
        return files
            .retract(ctx, files.validate(files.group(), remoteName))
            .transform(
                x ->
                    Future.failedFuture(
                        new FdfsException(
                            Errno.EIO,
                            "write quorum not reached ("
                                + copies
                                + " of "
                                + node.options().writeQuorum()
                                + " copies)")));
      }
      LOG.warn(
          "storage: upload {} acknowledged with {} of {} copies (degraded); peers will catch up",
          remoteName,
          copies,
          node.options().writeQuorum());
      return Future.succeededFuture(remoteName);
    }
  }
}
