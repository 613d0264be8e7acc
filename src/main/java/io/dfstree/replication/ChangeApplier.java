package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.storage.Binlog;
import io.dfstree.storage.ReplicaStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch of a peer's binlog here, for the catch-up ({@link Replicator}): creates and
 * updates fetch the file from that peer, deletes, renames and metadata are replayed, each at the
 * time the peer recorded. Every change is idempotent, so a batch applied twice is harmless.
 */
final class ChangeApplier {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

  /** Files fetched from one peer at once during catch-up (each over its own connection). */
  static final int CATCH_UP_LANES = 4;

  private final Context ctx;
  private final ReplicaStore store;
  private final PeerPool pool;
  private final PeerFetch fetcher;

  /** The member state machine, told when files start arriving. */
  private final Supplier<Membership> membership;

  /** What {@link CatchUpFilter} asks of this storage. */
  private final CatchUpFilter.Here here;

  ChangeApplier(
      Context ctx,
      ReplicaStore store,
      PeerPool pool,
      PeerFetch fetcher,
      Supplier<Membership> membership) {
    this.ctx = ctx;
    this.store = store;
    this.pool = pool;
    this.fetcher = fetcher;
    this.membership = membership;
    this.here =
        CatchUpFilter.of(
            this::tryId, store::deletedAtOrAfter, store::deletedSince, store::isPlacing);
  }

  /**
   * Applies a batch of binlog entries over up to {@value #CATCH_UP_LANES} connections at once: the
   * entries of one file stay in order in one lane, and a rename (two names) waits for everything
   * before it. The offset moves at the end of each run of entries between renames; after a failure
   * that run is applied again next time, which is harmless: every change is idempotent here (a file
   * already held is not fetched, a delete of a missing file is a no-op).
   */
  Future<Void> applyInLanes(
      PeerConnection first, GroupPeers.Peer peer, PeerProgress pp, List<Binlog.Entry> entries) {
    Future<Void> chain = Future.succeededFuture();
    int start = 0;
    for (int i = 0; i <= entries.size(); i++) {
      if (i < entries.size() && entries.get(i).kind() != Binlog.RENAME) {
        continue;
      }
      List<Binlog.Entry> run = entries.subList(start, i);
      if (!run.isEmpty()) {
        long end = run.get(run.size() - 1).endOffset();
        chain =
            chain
                .compose(v -> applyRun(first, peer, pp, run))
                .map(
                    v -> {
                      pp.offset = end;
                      return null;
                    });
      }
      if (i < entries.size()) {
        Binlog.Entry rename = entries.get(i);
        chain =
            chain
                .compose(v -> apply(first, peer, pp, rename))
                .map(
                    v -> {
                      pp.offset = rename.endOffset();
                      return null;
                    });
      }
      start = i + 1;
    }
    return chain;
  }

  /**
   * One run without renames: the lines applied here already are dropped first ({@link
   * CatchUpFilter}: one disk-thread hop for all its creates, no lock), then lane {@code n} takes
   * the files whose name hashes to {@code n}.
   */
  private Future<Void> applyRun(
      PeerConnection first, GroupPeers.Peer peer, PeerProgress pp, List<Binlog.Entry> all) {
    List<FileId> checked = CatchUpFilter.createsToCheck(all, here);
    Future<java.util.Set<String>> present =
        checked.isEmpty() ? Future.succeededFuture(java.util.Set.of()) : store.present(checked);
    return present
        .map(held -> CatchUpFilter.pending(all, checked, held, here))
        .compose(run -> run.isEmpty() ? Future.succeededFuture() : applyLanes(first, peer, pp, run));
  }

  /** Lane {@code n} takes the files whose name hashes to {@code n}. */
  private Future<Void> applyLanes(
      PeerConnection first, GroupPeers.Peer peer, PeerProgress pp, List<Binlog.Entry> run) {
    int lanes = Math.min(CATCH_UP_LANES, run.size());
    List<List<Binlog.Entry>> byLane = new java.util.ArrayList<>();
    for (int l = 0; l < lanes; l++) {
      byLane.add(new java.util.ArrayList<>());
    }
    for (Binlog.Entry e : run) {
      byLane.get(Math.floorMod(e.name().hashCode(), lanes)).add(e);
    }
    List<Future<Void>> done = new java.util.ArrayList<>();
    for (int l = 0; l < lanes; l++) {
      List<Binlog.Entry> mine = byLane.get(l);
      if (mine.isEmpty()) {
        continue;
      }
      int lane = l;
      Future<PeerConnection> conn =
          lane == 0 ? Future.succeededFuture(first) : laneConnection(peer, pp, lane);
      done.add(
          conn.compose(
              c -> {
                Future<Void> f = Future.succeededFuture();
                for (List<Binlog.Entry> step : CatchUpFilter.steps(mine)) {
                  f = f.compose(v -> applyStep(c, peer, pp, step));
                }
                return f.onFailure(
                    err -> {
                      if (lane > 0) {
                        c.close();
                        pp.lanes[lane] = null;
                      }
                    });
              }));
    }
    return Future.join(done).mapEmpty();
  }

  /** One step of a lane ({@link CatchUpFilter#steps}): its entries at once. */
  private Future<Void> applyStep(
      PeerConnection c, GroupPeers.Peer peer, PeerProgress pp, List<Binlog.Entry> step) {
    if (step.size() == 1) {
      return apply(c, peer, pp, step.get(0));
    }
    List<Future<Void>> all = new java.util.ArrayList<>(step.size());
    for (Binlog.Entry e : step) {
      all.add(apply(c, peer, pp, e));
    }
    return Future.join(all).mapEmpty();
  }

  /**
   * The extra connection of lane {@code n} (lane 0 is the puller's own), reopened when it broke.
   */
  private Future<PeerConnection> laneConnection(GroupPeers.Peer peer, PeerProgress pp, int lane) {
    PeerConnection c = pp.lanes[lane];
    if (c != null && c.usable() && c.peer().equals(peer.host() + ":" + peer.port())) {
      return Future.succeededFuture(c);
    }
    if (c != null) {
      c.close();
    }
    pp.lanes[lane] = null;
    return pool.connect(peer.host(), peer.port(), ctx).onSuccess(n -> pp.lanes[lane] = n);
  }

  private Future<Void> apply(
      PeerConnection conn, GroupPeers.Peer peer, PeerProgress pp, Binlog.Entry e) {
    FileId id;
    try {
      id = store.validate(store.group(), e.name());
    } catch (FdfsException bad) {
      LOG.warn(
          "storage {}: skipping binlog line from {} with a bad name: {}",
          store.options().id(),
          peer.id(),
          bad.getMessage());
      return Future.succeededFuture();
    }
    return switch (e.kind()) {
      // a copy we are placing ourselves right now (write quorum: the peer may log it first) comes
      // first
      // a file deleted here since that line was written is not fetched back (placeReplica checks
      // again)
      case Binlog.CREATE ->
          store.deletedSince(id, e.timestamp())
              ? Future.succeededFuture()
              : store
                  .afterPlacing(ctx, id.remoteName())
                  .compose(v -> store.exists(id))
                  .compose(
                      has ->
                          has
                              ? Future.succeededFuture()
                              : fetch(conn, id, e.timestamp(), false, pp));
      case Binlog.UPDATE -> fetch(conn, id, e.timestamp(), true, pp);
      case Binlog.DELETE -> store.applyDelete(ctx, id, e.timestamp()).onSuccess(v -> appliedNow());
      case Binlog.RENAME -> {
        FileId old = e.secondName() == null ? null : tryId(e.secondName());
        Future<Boolean> renamed =
            old == null
                ? Future.succeededFuture(false)
                : store.applyRename(ctx, id, old, e.timestamp());
        yield renamed.compose(
            done ->
                done
                    ? Future.succeededFuture()
                    : store
                        .exists(id)
                        .compose(
                            has ->
                                has
                                    ? Future.succeededFuture()
                                    : fetch(conn, id, e.timestamp(), false, pp)));
      }
      case Binlog.METADATA ->
          conn.call(
                  new StorageRequest.GetMetadata(store.group(), id.remoteName()),
                  store.options().replicaTimeoutMs())
              .transform(
                  ar -> {
                    if (ar.succeeded()) {
                      return store.applyMetadata(
                          ctx, id, ar.result().getBytes(), e.timestamp(), e.local());
                    }
                    if (ar.cause() instanceof FdfsException f && f.errno() == Errno.ENOENT) {
                      return store.applyMetadata(ctx, id, null, e.timestamp(), e.local());
                    }
                    return Future.failedFuture(ar.cause());
                  })
              .onSuccess(v -> appliedNow());
      default -> Future.succeededFuture();
    };
  }

  /** FastDFS's last_sync_update: the last time this storage applied a replicated change. */
  private void appliedNow() {
    store.appliedNow();
  }

  private FileId tryId(String name) {
    try {
      return store.validate(store.group(), name);
    } catch (FdfsException e) {
      return null;
    }
  }

  /** Copies a file from the peer on {@code conn}; a file the peer no longer has is skipped. */
  private Future<Void> fetch(
      PeerConnection conn, FileId id, long mtime, boolean replace, PeerProgress pp) {
    return fetcher
        .copyFromPeer(conn, id, mtime, replace, ctx)
        .map(
            len -> {
              if (pp != null && len >= 0) {
                pp.files++;
                pp.bytes += len;
                Membership m = membership.get();
                if (m != null) { // FastDFS: files are arriving, no longer waiting for them
                  store.status(m.fileArrived());
                }
              }
              return (Void) null;
            })
        .recover(
            err -> {
              if (err instanceof FdfsException f && f.errno() == Errno.ENOENT) {
                LOG.info(
                    "storage {}: {} is gone from {} (deleted since): skipped",
                    store.options().id(),
                    id.remoteName(),
                    conn.peer());
                return Future.succeededFuture(); // deleted there since: a later line says so
              }
              return Future.failedFuture(err);
            });
  }
}
