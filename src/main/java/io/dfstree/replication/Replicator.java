package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.storage.Binlog;
import io.dfstree.storage.NewBlob;
import io.dfstree.storage.ReplicaStore;
import io.dfstree.storage.Replication;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this storage's copy of its group complete, without an operator; the storage's {@link
 * Replication} port, plugged in by {@code server.Roles}:
 *
 * <ul>
 *   <li><b>catch-up</b> (here): for every peer it reads the peer's binlog from the offset it
 *       reached last time (kept in {@code data/sync/<peer>.mark}) and applies each change ({@link
 *       ChangeApplier}), fetching file bytes from that peer. A new or returning member stays
 *       WAIT_SYNC / SYNCING until it has caught up with every active peer, then turns ACTIVE
 *       ({@link Membership});
 *   <li><b>write quorum</b>: {@link QuorumFanout} opens the {@link ReplicaFanout} an upload streams
 *       through, {@link WriteQuorum} judges the copies;
 *   <li><b>read-your-write</b>: {@link PeerFetch} fetches a file it is asked for but does not hold
 *       yet.
 * </ul>
 *
 * Progress per peer is "caught up to the peer's clock at time T": compared only with file times
 * from that same peer, so routing never depends on clocks agreeing.
 *
 * <p>Why over 400 lines: the catch-up loop (binlog pages, the membership decision) is one state
 * per peer, kept here;
 * what it applies, fetches and fans out lives in the classes above, the snapshot pull (when our
 * position was trimmed away) in {@link SnapshotPull}, the marks on disk in {@link PeerMarks}.
 */
public final class Replicator implements Replication {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
  private static final int FETCH_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final ReplicaStore store;
  private final GroupPeers peers;
  private final PeerPool pool;
  private final PeerMarks marks;
  private final SnapshotPull snapshots;
  private final Map<Integer, PeerProgress> progress = new ConcurrentHashMap<>();
  private Context ctx;
  private long timer = -1;
  private volatile boolean stopped;

  /** WAIT_SYNC -> SYNCING -> ACTIVE, decided by a pure state machine; set by start(). */
  private volatile io.dfstree.replication.Membership membership;

  /** Peers this storage expects to hear from before it may decide it is complete. */
  private final java.util.Set<Integer> expected = ConcurrentHashMap.newKeySet();

  private static final long MAX_WAIT_FOR_KNOWN_PEERS_MS = 30_000;

  /** Files copied from peers: during catch-up, on a miss, over a damaged copy. */
  private final PeerFetch fetcher;

  /** Applies a peer's binlog batch here; made by start() on the catch-up's context. */
  private ChangeApplier applier;

  /** The write-quorum side of each new upload. */
  private final QuorumFanout quorum;

  Replicator(Vertx vertx, ReplicaStore store, GroupPeers peers, PeerPool pool) {
    this.vertx = vertx;
    this.store = store;
    this.peers = peers;
    this.pool = pool;
    this.marks = new PeerMarks(store);
    this.snapshots = new SnapshotPull(store, () -> applier, marks);
    this.fetcher = new PeerFetch(vertx, store, peers, pool);
    this.quorum = new QuorumFanout(vertx, store, peers, pool, progress::isEmpty);
  }

  /**
   * The replication of the storage behind {@code store}: its peers as their heartbeats describe
   * them, a pool of connections to them, and the catch-up. Called on the storage verticle's
   * context, so the heartbeat listeners end with it.
   */
  public static Replicator create(Vertx vertx, ReplicaStore store) {
    var options = store.options();
    GroupPeers peers = new GroupPeers(options.id(), options.group(), options.peerTimeoutMs());
    PeerPool pool = new PeerPool(vertx, options.host(), store::peerAuth);
    vertx
        .eventBus()
        .<io.vertx.core.json.JsonObject>consumer(
            io.dfstree.api.Addresses.HEARTBEAT,
            msg ->
                peers.heard(
                    io.dfstree.api.Heartbeat.fromJson(msg.body()), System.currentTimeMillis()));
    vertx
        .eventBus()
        .<io.vertx.core.json.JsonObject>consumer(
            io.dfstree.api.Addresses.STORAGE_LEAVING,
            msg -> peers.left(msg.body().getInteger("storageId")));
    return new Replicator(vertx, store, peers, pool);
  }

  /** {@link #create}, as the storage finds it on the class path ({@code META-INF/services}). */
  public static final class Provider implements Replication.Factory {
    @Override
    public Replication create(Vertx vertx, ReplicaStore store) {
      return Replicator.create(vertx, store);
    }
  }

  /** Blocking: reads the saved offsets. */
  @Override
  public void load() throws IOException {
    marks.load(progress);
    // we synced from each of them before: members we must hear from again
    expected.addAll(progress.keySet());
  }

  /**
   * Starts polling; {@code discoveryMs} is how long to listen for peers before deciding we are
   * alone.
   */
  @Override
  public void start(long discoveryMs) {
    ctx = vertx.getOrCreateContext();
    applier = new ChangeApplier(ctx, store, pool, fetcher, () -> membership);
    io.dfstree.replication.Membership m =
        new io.dfstree.replication.Membership(
            System.currentTimeMillis(),
            discoveryMs,
            MAX_WAIT_FOR_KNOWN_PEERS_MS,
            store.options().peerTimeoutMs());
    expected.forEach(m::expect);
    membership = m;
    store.status(m.status());
    timer = vertx.setPeriodic(Math.max(50, store.options().catchUpIntervalMs()), t -> tick());
  }

  /**
   * Stops pulling first, then closes the connections: a pull still in flight sees {@code stopped}
   * when it ends and neither goes on nor reports the closed connection as a paused catch-up.
   */
  @Override
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    progress.values().forEach(PeerProgress::closeConnections);
    return pool.close();
  }

  /** Per source storage id: that storage's clock when we last held everything it had written. */
  @Override
  public Map<String, Long> syncedUntil() {
    Map<String, Long> out = new HashMap<>();
    progress.forEach((id, p) -> out.put(Integer.toString(id), p.syncedUntil));
    return out;
  }

  private void tick() {
    long now = System.currentTimeMillis();
    List<GroupPeers.Peer> alive = peers.alive(now);
    // pull from every member ever heard of: a dead one just refuses the connection
    for (GroupPeers.Peer p : peers.known()) {
      PeerProgress pp = progress.computeIfAbsent(p.id(), k -> new PeerProgress());
      if (!pp.busy) {
        pull(p, pp);
      }
    }
    if (!membership.decided()) {
      askTrackers();
    }
    List<io.dfstree.replication.Membership.Peer> views = new java.util.ArrayList<>();
    for (GroupPeers.Peer p : peers.known()) {
      PeerProgress pp = progress.get(p.id());
      views.add(
          new io.dfstree.replication.Membership.Peer(
              p.id(),
              alive.stream().anyMatch(a -> a.id() == p.id()),
              pp != null && pp.caughtUp,
              pp == null ? 0 : pp.unreachableSince));
    }
    io.dfstree.replication.Membership.Step step = membership.tick(now, views);
    if (step.gaveUpOnExpected()) {
      LOG.warn(
          "storage {}: known peers {} not heard within {} s; deciding without them",
          store.options().id(),
          membership.expected(),
          MAX_WAIT_FOR_KNOWN_PEERS_MS / 1000);
    }
    if (step.decidedNow()) {
      LOG.info(
          "storage {}: {} peer(s) found, state {}",
          store.options().id(),
          alive.size(),
          step.status());
    }
    if (step.activeNow()) {
      progress.forEach(
          (id, pp) -> {
            double secs = Math.max(0.001, (now - pp.startedMillis) / 1000.0);
            LOG.info(
                "storage {}: caught up with {}: {} files, {} MiB in {} s ({} MiB/s, {} files/s)",
                store.options().id(),
                id,
                pp.files,
                String.format("%.1f", pp.bytes / 1048576.0),
                String.format("%.1f", secs),
                String.format("%.1f", pp.bytes / 1048576.0 / secs),
                String.format("%.0f", pp.files / secs));
          });
      LOG.info("storage {}: ACTIVE", store.options().id());
    }
    store.status(step.status());
  }

  /**
   * Heartbeats of a member that just joined the cluster can take seconds to reach us; the trackers
   * already know the group, so their map says whom to wait for.
   */
  private void askTrackers() {
    vertx
        .eventBus()
        .<io.vertx.core.json.JsonObject>request(
            io.dfstree.api.Addresses.TRACKER_QUERY,
            new io.vertx.core.json.JsonObject().put("op", "groups"),
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(1000))
        .onSuccess(
            reply -> {
              for (io.dfstree.api.GroupView group :
                  io.dfstree.api.GroupView.listFromJson(reply.body())) {
                if (!store.options().group().equals(group.name())) {
                  continue;
                }
                for (io.dfstree.api.MemberView member : group.storages()) {
                  if (member.id() != store.options().id() && member.present()) {
                    membership.expect(member.id());
                  }
                }
              }
            });
  }

  private void pull(GroupPeers.Peer peer, PeerProgress pp) {
    if (stopped) {
      pp.busy = false; // a page that ended after stop() asks for no more
      return;
    }
    pp.busy = true;
    if (pp.startedMillis == 0) {
      pp.startedMillis = System.currentTimeMillis();
    }
    connection(peer, pp)
        .compose(conn -> pullBatch(peer, pp, conn).onFailure(err -> pp.closeConnections()))
        .onComplete(
            ar ->
                ctx.runOnContext(
                    v -> {
                      pp.busy = false;
                      if (stopped) {
                        return; // stop() closed the connections this pull was using
                      }
                      if (ar.failed()) {
                        if (pp.unreachableSince == 0) {
                          LOG.warn(
                              "storage {}: catch-up from {} at offset {} paused: {}",
                              store.options().id(),
                              peer.id(),
                              pp.offset,
                              ar.cause().toString());
                        }
                      } else if (ar.result() == Pulled.MORE) {
                        pull(peer, pp); // more to read: go on without waiting for the timer
                      } else if (ar.result() == Pulled.APPLIED) {
                        // the peer is writing now: look again soon, not at once, so the next
                        // batch holds every line written meanwhile instead of one or two
                        pp.busy = true;
                        vertx.setTimer(
                            paceMs(),
                            t -> {
                              if (stopped) {
                                pp.busy = false;
                              } else {
                                pull(peer, pp);
                              }
                            });
                      }
                    }));
  }

  /** What one pull did. */
  enum Pulled {
    /** Behind the peer's end still (a full page, a snapshot page): read on at once. */
    MORE,
    /** Lines applied up to the peer's end: look again after {@link #paceMs()}. */
    APPLIED,
    /** Nothing new: the periodic timer looks again. */
    IDLE
  }

  /**
   * The pause between pulls while a peer keeps writing (FastDFS's sync threads wait 50-100 ms the
   * same way): a member under load then reads its peer's lines in batches of tens, each batch one
   * binlog request, one presence check and one mark, instead of a round of those for every line.
   */
  static final long PACE_MS = 100;

  private long paceMs() {
    return Math.max(1, Math.min(PACE_MS, store.options().catchUpIntervalMs()));
  }

  /** Marks are rewritten at most this often while lines keep coming (a replay is harmless). */
  static final long MARK_EVERY_MS = 1000;

  /** The puller's connection to {@code peer}: one per peer, reopened only when it broke. */
  private Future<PeerConnection> connection(GroupPeers.Peer peer, PeerProgress pp) {
    if (pp.conn != null
        && pp.conn.usable()
        && pp.conn.peer().equals(peer.host() + ":" + peer.port())) {
      return Future.succeededFuture(pp.conn);
    }
    if (pp.conn != null) {
      pp.conn.close();
      pp.conn = null;
    }
    return pool.connect(peer.host(), peer.port(), ctx)
        .onSuccess(
            c -> {
              pp.conn = c;
              pp.unreachableSince = 0;
            })
        .onFailure(
            err -> {
              if (pp.unreachableSince == 0) {
                pp.unreachableSince = System.currentTimeMillis();
              }
            });
  }

  /** One binlog read and its changes applied. */
  private Future<Pulled> pullBatch(GroupPeers.Peer peer, PeerProgress pp, PeerConnection conn) {
    if (pp.snapshot != null) {
      return snapshots.page(peer, pp, conn).map(more -> Pulled.MORE);
    }
    return conn.call(
            new StorageRequest.BinlogFetch(store.options().id(), pp.offset, FETCH_BYTES),
            store.options().replicaTimeoutMs())
        .recover(
            err ->
                SnapshotCursor.trimmedAway(err)
                    ? startSnapshot(peer, pp)
                    : Future.failedFuture(err))
        .compose(
            resp -> {
              if (resp == null) {
                return Future.succeededFuture(Pulled.MORE); // from the snapshot now
              }
              StorageReply.BinlogChunk got = StorageCodec.decodeBinlogChunk(resp);
              long peerNow = got.peerNowSeconds();
              long peerSize = got.binlogSize();
              if (pp.offset > peerSize) {
                LOG.warn(
                    "storage {}: peer {} binlog is shorter than our mark ({} < {}): reading it again from the start",
                    store.options().id(),
                    peer.id(),
                    peerSize,
                    pp.offset);
                pp.offset = 0;
                return Future.succeededFuture(Pulled.MORE);
              }
              byte[] chunk = got.lines();
              long from = pp.offset;
              List<Binlog.Entry> entries = Binlog.parse(chunk, pp.offset);
              if (!entries.isEmpty()) {
                LOG.debug(
                    "storage {}: binlog of {}: {} lines, offset {} of {}",
                    store.options().id(),
                    peer.id(),
                    entries.size(),
                    from,
                    peerSize);
              }
              if (entries.isEmpty() && pp.offset >= peerSize) {
                // nothing new at the peer's time peerNow: we hold everything it had written by
                // then
                boolean first = !pp.caughtUp;
                pp.caughtUp = true;
                pp.syncedUntil = peerNow;
                return first || pp.markDirty
                    ? saveMark(peer.id(), pp).map(Pulled.IDLE)
                    : Future.succeededFuture(Pulled.IDLE);
              }
              return applier
                  .applyInLanes(conn, peer, pp, entries)
                  // one binlog force for the deletes of the poll (their rounds force nothing)
                  .compose(v -> store.forceApplied())
                  .compose(
                      v -> {
                        pp.markDirty = true;
                        if (pp.offset < peerSize) {
                          return markNowAndThen(peer, pp, false).map(Pulled.MORE);
                        }
                        // every line the peer had written when it answered (at its time peerNow)
                        // is applied: as good as the empty answer above, one round trip sooner
                        boolean first = !pp.caughtUp;
                        pp.caughtUp = true;
                        pp.syncedUntil = peerNow;
                        return markNowAndThen(peer, pp, first).map(Pulled.APPLIED);
                      });
            });
  }

  /** Saves the mark when it is due ({@link #MARK_EVERY_MS}) or {@code now}. */
  private Future<Void> markNowAndThen(GroupPeers.Peer peer, PeerProgress pp, boolean now) {
    long t = System.currentTimeMillis();
    if (!now && t - pp.markSavedMillis < MARK_EVERY_MS) {
      return Future.succeededFuture();
    }
    return saveMark(peer.id(), pp);
  }

  /** The peer no longer holds our binlog position: its snapshot first ({@link SnapshotPull}). */
  private Future<io.vertx.core.buffer.Buffer> startSnapshot(GroupPeers.Peer peer, PeerProgress pp) {
    snapshots.start(peer, pp);
    return Future.succeededFuture(null);
  }

  private Future<Void> saveMark(int peerId, PeerProgress pp) {
    return marks.save(peerId, pp);
  }

  @Override
  public Future<String> await(Context ctx, Fanout f, String remoteName) {
    return WriteQuorum.await(store, ctx, f, remoteName);
  }

  @Override
  public Future<String> placeWithPeers(Context ctx, Fanout f, NewBlob upload, int crc32) {
    return WriteQuorum.placeWithPeers(store, ctx, f, upload, crc32);
  }

  @Override
  public Future<Void> admit() {
    return quorum.admit();
  }

  @Override
  public Future<Fanout> openFanout(long size, int storePathIndex) {
    return quorum.openFanout(size, storePathIndex);
  }

  @Override
  public Future<Fanout> pushPlaced(FileId id, long size) {
    return quorum.pushPlaced(id, size);
  }

  @Override
  public Future<Void> fetchMissing(FileId id) {
    return fetcher.fetchMissing(id);
  }

  @Override
  public Future<Void> fetchReplacing(FileId id) {
    return fetcher.fetchReplacing(id);
  }
}
