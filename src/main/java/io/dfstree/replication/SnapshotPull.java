package io.dfstree.replication;

import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.storage.Binlog;
import io.dfstree.storage.ReplicaStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catch-up from a peer's snapshot, when the peer no longer holds our position in its binlog
 * (trimmed away): page by page ({@link SnapshotCursor}), each applied like binlog lines; at its end
 * our position is the binlog offset the snapshot was taken at, and {@link Replicator} follows the
 * binlog from there.
 */
final class SnapshotPull {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

  private final ReplicaStore store;
  private final Supplier<ChangeApplier> applier;
  private final PeerMarks marks;

  SnapshotPull(ReplicaStore store, Supplier<ChangeApplier> applier, PeerMarks marks) {
    this.store = store;
    this.applier = applier;
    this.marks = marks;
  }

  /** Our binlog position with {@code peer} was trimmed away there: read its snapshot first. */
  void start(GroupPeers.Peer peer, PeerProgress pp) {
    LOG.info(
        "storage {}: binlog of {} was trimmed past our offset {}: catching up from its snapshot",
        store.options().id(),
        peer.id(),
        pp.offset);
    pp.snapshot = new SnapshotCursor();
  }

  /** One page of the peer's snapshot applied; at its end, our position is the snapshot's offset. */
  Future<Boolean> page(GroupPeers.Peer peer, PeerProgress pp, PeerConnection conn) {
    SnapshotCursor c = pp.snapshot;
    return conn.call(
            new StorageRequest.SnapshotFetch(
                store.options().id(), c.section, c.position, SnapshotCursor.PAGE, c.after),
            store.options().replicaTimeoutMs())
        .compose(
            resp -> {
              StorageReply.SnapshotPage page = StorageCodec.decodeSnapshotPage(resp);
              if (c.position < 0) {
                c.position = page.binlogOffset();
              }
              List<Binlog.Entry> entries = SnapshotCursor.entries(page.lines(), pp.offset);
              c.files += entries.size();
              return applier
                  .get()
                  .applyInLanes(conn, peer, pp, entries)
                  .compose(
                      v -> {
                        c.section = page.nextSection();
                        c.after = page.nextAfter();
                        if (page.nextSection() >= 0) {
                          return Future.succeededFuture(true);
                        }
                        LOG.info(
                            "storage {}: snapshot of {} applied ({} entries); following its binlog from offset {}",
                            store.options().id(),
                            peer.id(),
                            c.files,
                            c.position);
                        pp.offset = c.position;
                        pp.snapshot = null;
                        return marks.save(peer.id(), pp).map(true);
                      });
            });
  }
}
