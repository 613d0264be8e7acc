package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.storage.NewBlob;
import io.dfstree.storage.ReplicaStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Copies files from peers into place here: one file during catch-up, over the puller's own
 * connection, or a file a client asked for that we do not hold yet (read-your-write) or hold
 * damaged, from its source first and then the other peers, over pooled connections.
 */
final class PeerFetch {
  private final Vertx vertx;
  private final ReplicaStore store;
  private final GroupPeers peers;
  private final PeerPool pool;

  PeerFetch(Vertx vertx, ReplicaStore store, GroupPeers peers, PeerPool pool) {
    this.vertx = vertx;
    this.store = store;
    this.peers = peers;
    this.pool = pool;
  }

  /**
   * Copies one file from the peer on {@code conn} into place under its own name: the bytes placed,
   * or -1 when we already held it. On failure the temp copy is removed off the event loop.
   */
  Future<Long> copyFromPeer(
      PeerConnection conn, FileId id, long mtime, boolean replace, Context here) {
    NewBlob tmp = store.receive(id);
    return conn.stream(
            new StorageRequest.Download(0, 0, store.group(), id.remoteName(), true),
            tmp,
            store.options().replicaTimeoutMs())
        .compose(
            len ->
                tmp.placeCopy(here, id, mtime, replace)
                    .transform(
                        ar -> {
                          // FastDFS sync-in: bytes received from a peer; successful when the copy
                          // was placed
                          boolean placed = ar.succeeded() && ar.result();
                          store.countSyncIn(len, placed);
                          if (placed) {
                            store.appliedNow();
                          }
                          return ar.failed()
                              ? Future.failedFuture(ar.cause())
                              : Future.succeededFuture(placed ? len : -1L);
                        }))
        .onFailure(err -> tmp.abort());
  }

  /**
   * A client asked for a file we do not hold: ask its source first, then the other peers. Runs on
   * the caller's event loop (its connections belong to that loop).
   */
  public Future<Void> fetchMissing(FileId id) {
    return fetchFromPeers(id, false);
  }

  /** Replaces our copy of {@code id} with a peer's (a damaged copy: {@code storage.Integrity}). */
  public Future<Void> fetchReplacing(FileId id) {
    return fetchFromPeers(id, true);
  }

  private Future<Void> fetchFromPeers(FileId id, boolean replace) {
    long now = System.currentTimeMillis();
    List<GroupPeers.Peer> candidates = new java.util.ArrayList<>();
    int source = id.decoded().sourceId();
    GroupPeers.Peer src = peers.get(source);
    if (src != null) {
      candidates.add(src);
    }
    for (GroupPeers.Peer p : peers.known()) {
      if (p.id() != source) {
        candidates.add(p);
      }
    }
    Future<Void> attempt =
        Future.failedFuture(
            FdfsException.notFound("file does not exist on this storage or its peers"));
    for (GroupPeers.Peer p : candidates) {
      attempt =
          attempt.recover(
              err ->
                  pool.acquire(p.host(), p.port())
                      .compose(
                          conn ->
                              copyFromPeer(
                                      conn,
                                      id,
                                      id.decoded().createTime(),
                                      replace,
                                      vertx.getOrCreateContext())
                                  .<Void>mapEmpty()
                                  .onComplete(
                                      ar -> {
                                        // a clean "not here" leaves the connection usable; anything
                                        // else may have broken it
                                        if (ar.succeeded()
                                            || (ar.cause() instanceof FdfsException f
                                                && f.errno() == Errno.ENOENT)) {
                                          pool.release(conn);
                                        } else {
                                          conn.close();
                                        }
                                      })));
    }
    return attempt;
  }
}
