package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageStatus;
import io.dfstree.storage.ReplicaStore;
import io.dfstree.storage.Replication.Fanout;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-quorum side of an upload: which members take its copies, whether the group may accept
 * it at all (storage.whenDegraded), and the {@link ReplicaFanout} its bytes stream through, opened
 * before its body arrives or, for a size known only at the end, from the placed file.
 */
final class QuorumFanout {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
  private final Vertx vertx;
  private final ReplicaStore store;
  private final GroupPeers peers;
  private final PeerPool pool;

  /** True until catch-up has met any peer (none synced from before): a group of one. */
  private final BooleanSupplier neverSynced;

  /** The one notice of a group of one has been logged. */
  private volatile boolean aloneNoticed;

  QuorumFanout(
      Vertx vertx,
      ReplicaStore store,
      GroupPeers peers,
      PeerPool pool,
      BooleanSupplier neverSynced) {
    this.vertx = vertx;
    this.store = store;
    this.peers = peers;
    this.pool = pool;
    this.neverSynced = neverSynced;
  }

  /**
   * Members that can take an upload's copy. Members still catching up take copies too: new files
   * then never join their backlog, so the backlog shrinks even under a steady stream of uploads
   * (ACTIVE members first).
   */
  private List<GroupPeers.Peer> quorumCandidates() {
    // per upload: a loop, not a stream, filter and stable sort (ACTIVE first, by id within each)
    List<GroupPeers.Peer> alive = peers.alive(System.currentTimeMillis());
    List<GroupPeers.Peer> out = new java.util.ArrayList<>(alive.size());
    for (GroupPeers.Peer p : alive) {
      if (p.status() == StorageStatus.ACTIVE) {
        out.add(p);
      }
    }
    for (GroupPeers.Peer p : alive) {
      if (p.status() == StorageStatus.SYNCING || p.status() == StorageStatus.WAIT_SYNC) {
        out.add(p);
      }
    }
    return out;
  }

  private FdfsException refusal(int active) {
    int quorum = store.options().writeQuorum();
    return new FdfsException(
        Errno.EBUSY,
        "write quorum "
            + quorum
            + " needs "
            + (quorum - 1)
            + " active peer(s), "
            + active
            + " active; refusing (storage.whenDegraded = refuse)");
  }

  /**
   * For an upload whose size is not known up front: EBUSY before its body is read when the group
   * refuses degraded writes and too few peers are up.
   */
  public Future<Void> admit() {
    int quorum = store.options().writeQuorum();
    if (quorum <= 1 || !store.options().refusesWhenDegraded()) {
      return Future.succeededFuture();
    }
    int active = quorumCandidates().size();
    return active < quorum - 1 ? Future.failedFuture(refusal(active)) : Future.succeededFuture();
  }

  /**
   * A file whose size was unknown until its last byte (HTTP chunked or multipart, WebSocket without
   * a size) is placed here first, then streamed from disk to the quorum peers; the caller awaits
   * their copies with {@link WriteQuorum#await}. Null when no peer takes copies.
   */
  Future<Fanout> pushPlaced(FileId id, long size) {
    if (store.options().writeQuorum() <= 1) {
      // nobody waits for a quorum of 1's copies: reading the placed file back to push it would
      // hold the client for the transfer; catch-up brings it to the peers from the binlog
      return Future.succeededFuture(null);
    }
    return openFanout(size, id.storePathIndex())
        .compose(
            f -> {
              if (f == null || f.targets() == 0) {
                return Future.succeededFuture(f);
              }
              return vertx
                  .fileSystem()
                  .open(
                      store.pathOf(id).toString(),
                      new io.vertx.core.file.OpenOptions().setRead(true))
                  .compose(
                      file -> {
                        io.vertx.core.Promise<Fanout> sent = io.vertx.core.Promise.promise();
                        file.handler(
                            chunk -> {
                              f.write(chunk);
                              if (f.writeQueueFull()) {
                                file.pause();
                                f.drainHandler(v -> file.resume());
                              }
                            });
                        file.exceptionHandler(
                            err -> {
                              f.abort();
                              file.close();
                              sent.tryFail(err);
                            });
                        file.endHandler(
                            v -> {
                              file.close();
                              sent.tryComplete(f);
                            });
                        return sent.future();
                      });
            });
  }

  /**
   * The peers a new upload streams to. Fails with EBUSY when fewer than the write quorum are active
   * and the group refuses degraded writes.
   */
  Future<Fanout> openFanout(long size, int storePathIndex) {
    int quorum = store.options().writeQuorum();
    if (quorum <= 1) {
      return pushes(store.options(), size)
          ? openPush(size, storePathIndex)
          : Future.succeededFuture(null);
    }
    List<GroupPeers.Peer> active = quorumCandidates();
    int wanted = quorum - 1;
    if (active.size() < wanted && store.options().refusesWhenDegraded()) {
      return Future.failedFuture(refusal(active.size()));
    }
    if (active.isEmpty()) {
      if (neverSynced.getAsBoolean() && peers.known().isEmpty()) {
        // a group of one (no other member ever heard of, none synced from before): nothing is
        // missing, the quorum just cannot be met. Said once, not for every upload.
        if (!aloneNoticed) {
          aloneNoticed = true;
          LOG.info(
              "storage {}: no other member in group {}: uploads are stored once (writeQuorum {}) until one joins",
              store.options().id(),
              store.options().group(),
              quorum);
        }
        return Future.succeededFuture(null);
      }
      // accept while the group's other members are missing: this copy only. An empty fanout
      // still goes through WriteQuorum, which warns about every degraded acknowledgement, as for
      // an upload whose peers dropped out during the transfer (no fanout made these silent).
      return Future.succeededFuture(new ReplicaFanout(pool, 0));
    }
    ReplicaFanout fanout = new ReplicaFanout(pool, Math.min(wanted, active.size()));
    return streamTo(fanout, active.subList(0, Math.min(wanted, active.size())), size, storePathIndex)
        .map(v -> fanout);
  }

  /**
   * Opens a copy of this upload to each of {@code peers} on a pooled connection and adds it to
   * {@code fanout}; completes once every peer was tried (a peer that cannot be reached is left
   * out).
   */
  private Future<Void> streamTo(
      ReplicaFanout fanout, List<GroupPeers.Peer> peers, long size, int storePathIndex) {
    Buffer prefix = ReplicaFanout.prefix(size, storePathIndex);
    long timeoutMs = store.options().replicaTimeoutMs();
    ReplicaFanout.Starter starter =
        (conn, first) -> {
          Future<Buffer> ack = conn.begin(first, timeoutMs);
          // FastDFS sync-out: the copy sent to this peer, successful once the peer placed it
          ack.onComplete(ar -> store.countSyncOut(size, ar.succeeded()));
          return ack;
        };
    boolean whole = ReplicaFanout.sendsWhole(size);
    List<Future<?>> opened = new java.util.ArrayList<>(peers.size());
    for (GroupPeers.Peer p : peers) {
      opened.add(
          pool.acquire(p.host(), p.port())
              .onSuccess(
                  conn -> {
                    if (whole) {
                      fanout.hold(conn, prefix, size, starter);
                    } else {
                      fanout.add(conn, starter.start(conn, prefix));
                    }
                  }));
    }
    if (opened.size() == 1) {
      return opened.get(0).transform(ar -> Future.succeededFuture());
    }
    return Future.join(opened).transform(ar -> Future.succeededFuture());
  }

  /**
   * With a write quorum of 1: is an upload of {@code size} bytes pushed to the peers, or left to
   * their catch-up? Pushed up to {@code storage.pushCopiesMaxSize} (64K by default, which is also
   * {@link ReplicaFanout#SEND_WHOLE_MAX}: such a copy goes out whole once placed here, so it never
   * holds the client's upload back). A larger copy streams under the peer's back-pressure, and a
   * 1 MiB upload then ran at half the rate of catch-up alone (benchmark/PROFILE.md, w1push), so
   * large files are left to catch-up unless the limit is raised.
   */
  static boolean pushes(io.dfstree.config.StorageOptions o, long size) {
    return o.writeQuorum() <= 1 && o.pushCopies() && size >= 0 && size <= o.pushCopiesMaxSize();
  }

  /**
   * A write quorum of 1 in a group: every member that takes copies gets this upload's bytes while
   * they arrive ({@link ReplicaFanout#push}), over a pooled connection, as a quorum copy does;
   * the client is not kept waiting for them. Before, a peer learnt of each file from our binlog
   * (polled) and fetched it with a download of its own: our disk read, a request per file, and
   * copies lagging behind the uploads while the peer's downloads fetched them on demand. A peer
   * that cannot be reached is left to catch-up, which stays the safety net for every file. Null
   * when no peer takes copies (a group of one).
   */
  private Future<Fanout> openPush(long size, int storePathIndex) {
    List<GroupPeers.Peer> candidates = quorumCandidates();
    if (candidates.isEmpty()) {
      return Future.succeededFuture(null);
    }
    ReplicaFanout push = ReplicaFanout.push(pool);
    return streamTo(push, candidates, size, storePathIndex)
        .map(v -> push.targets() == 0 ? null : push);
  }
}
