package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageStatus;
import io.dfstree.storage.Binlog;
import io.dfstree.storage.NewBlob;
import io.dfstree.storage.ReplicaStore;
import io.dfstree.storage.Replication;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this storage's copy of its group complete, without an operator:
 * <ul>
 *   <li><b>catch-up</b>: for every peer it reads the peer's binlog from the offset it reached
 *   last time (kept in {@code data/sync/<peer>.mark}) and applies each change, fetching file
 *   bytes from that peer. A new or returning member stays WAIT_SYNC / SYNCING until it has
 *   caught up with every active peer, then turns ACTIVE;</li>
 *   <li><b>write quorum</b>: opens the {@link ReplicaFanout} an upload streams through;</li>
 *   <li><b>read-your-write</b>: fetches a file it is asked for but does not hold yet.</li>
 * </ul>
 * Progress per peer is "caught up to the peer's clock at time T": compared only with file
 * times from that same peer, so routing never depends on clocks agreeing.
 */
public final class Replicator implements Replication {
  private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
  private static final int FETCH_BYTES = 256 * 1024;
  /** Files fetched from one peer at once during catch-up (each over its own connection). */
  static final int CATCH_UP_LANES = 4;

  /** Where this storage stands with one peer. */
  static final class PeerProgress {
    long offset;
    long syncedUntil;       // the peer's clock when we last reached the end of its binlog
    boolean caughtUp;
    boolean busy;
    long files;
    long bytes;
    long startedMillis;
    /** When the last pull failed to reach the peer at all (0 = reachable). */
    long unreachableSince;
    /** Non-null while catching up from the peer's snapshot (our binlog position was trimmed away there). */
    SnapshotCursor snapshot;
    /** The puller's own connection to this peer, kept across pulls. */
    PeerConnection conn;
    /** More connections for files fetched in parallel (index 0 unused: that lane is {@link #conn}). */
    final PeerConnection[] lanes = new PeerConnection[CATCH_UP_LANES];

    void closeConnections() {
      if (conn != null) {
        conn.close();
        conn = null;
      }
      for (int i = 0; i < lanes.length; i++) {
        if (lanes[i] != null) {
          lanes[i].close();
          lanes[i] = null;
        }
      }
    }
  }

  private final Vertx vertx;
  private final ReplicaStore store;
  private final GroupPeers peers;
  private final PeerPool pool;
  private final Path marks;
  private final Map<Integer, PeerProgress> progress = new ConcurrentHashMap<>();
  private Context ctx;
  private long timer = -1;
  /** WAIT_SYNC -> SYNCING -> ACTIVE, decided by a pure state machine; set by start(). */
  private volatile io.dfstree.replication.Membership membership;
  /** Peers this storage expects to hear from before it may decide it is complete. */
  private final java.util.Set<Integer> expected = ConcurrentHashMap.newKeySet();
  private static final long MAX_WAIT_FOR_KNOWN_PEERS_MS = 30_000;
  /** The one notice of a group of one has been logged. */
  private volatile boolean aloneNoticed;

  Replicator(Vertx vertx, ReplicaStore store, GroupPeers peers, PeerPool pool) {
    this.vertx = vertx;
    this.store = store;
    this.peers = peers;
    this.pool = pool;
    this.marks = store.syncDir();
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
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(io.dfstree.api.Addresses.HEARTBEAT,
        msg -> peers.heard(io.dfstree.api.Heartbeat.fromJson(msg.body()), System.currentTimeMillis()));
    vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(io.dfstree.api.Addresses.STORAGE_LEAVING,
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
    Files.createDirectories(marks);
    try (var list = Files.newDirectoryStream(marks, "*.mark")) {
      for (Path p : list) {
        String n = p.getFileName().toString();
        int id = Integer.parseInt(n.substring(0, n.length() - 5));
        String[] v = Files.readString(p).trim().split(" ");
        PeerProgress pp = new PeerProgress();
        expected.add(id); // we synced from it before: it is a member we must hear from again
        pp.offset = Long.parseLong(v[0]);
        pp.syncedUntil = v.length > 1 ? Long.parseLong(v[1]) : 0;
        progress.put(id, pp);
      }
    }
  }

  /** Starts polling; {@code discoveryMs} is how long to listen for peers before deciding we are alone. */
  @Override
  public void start(long discoveryMs) {
    ctx = vertx.getOrCreateContext();
    io.dfstree.replication.Membership m = new io.dfstree.replication.Membership(System.currentTimeMillis(), discoveryMs,
        MAX_WAIT_FOR_KNOWN_PEERS_MS, store.options().peerTimeoutMs());
    expected.forEach(m::expect);
    membership = m;
    store.status(m.status());
    timer = vertx.setPeriodic(Math.max(50, store.options().catchUpIntervalMs()), t -> tick());
  }

  @Override
  public Future<Void> stop() {
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
      views.add(new io.dfstree.replication.Membership.Peer(p.id(), alive.stream().anyMatch(a -> a.id() == p.id()),
          pp != null && pp.caughtUp, pp == null ? 0 : pp.unreachableSince));
    }
    io.dfstree.replication.Membership.Step step = membership.tick(now, views);
    if (step.gaveUpOnExpected()) {
      LOG.warn("storage {}: known peers {} not heard within {} s; deciding without them", store.options().id(),
          membership.expected(), MAX_WAIT_FOR_KNOWN_PEERS_MS / 1000);
    }
    if (step.decidedNow()) {
      LOG.info("storage {}: {} peer(s) found, state {}", store.options().id(), alive.size(), step.status());
    }
    if (step.activeNow()) {
      progress.forEach((id, pp) -> {
        double secs = Math.max(0.001, (now - pp.startedMillis) / 1000.0);
        LOG.info("storage {}: caught up with {}: {} files, {} MiB in {} s ({} MiB/s, {} files/s)",
            store.options().id(), id, pp.files, String.format("%.1f", pp.bytes / 1048576.0), String.format("%.1f", secs),
            String.format("%.1f", pp.bytes / 1048576.0 / secs), String.format("%.0f", pp.files / secs));
      });
      LOG.info("storage {}: ACTIVE", store.options().id());
    }
    store.status(step.status());
  }

  /**
   * Heartbeats of a member that just joined the cluster can take seconds to reach us; the
   * trackers already know the group, so their map says whom to wait for.
   */
  private void askTrackers() {
    vertx.eventBus().<io.vertx.core.json.JsonObject>request(io.dfstree.api.Addresses.TRACKER_QUERY,
            new io.vertx.core.json.JsonObject().put("op", "groups"), new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(1000))
        .onSuccess(reply -> {
          for (io.dfstree.api.GroupView group : io.dfstree.api.GroupView.listFromJson(reply.body())) {
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
    pp.busy = true;
    if (pp.startedMillis == 0) {
      pp.startedMillis = System.currentTimeMillis();
    }
    connection(peer, pp)
        .compose(conn -> pullBatch(peer, pp, conn).onFailure(err -> pp.closeConnections()))
        .onComplete(ar -> ctx.runOnContext(v -> {
          pp.busy = false;
          if (ar.failed()) {
            if (pp.unreachableSince == 0) {
              LOG.warn("storage {}: catch-up from {} at offset {} paused: {}", store.options().id(), peer.id(), pp.offset,
                  ar.cause().toString());
            }
          } else if (ar.result()) {
            pull(peer, pp); // more to read: go on without waiting for the timer
          }
        }));
  }

  /** The puller's connection to {@code peer}: one per peer, reopened only when it broke. */
  private Future<PeerConnection> connection(GroupPeers.Peer peer, PeerProgress pp) {
    if (pp.conn != null && pp.conn.usable() && pp.conn.peer().equals(peer.host() + ":" + peer.port())) {
      return Future.succeededFuture(pp.conn);
    }
    if (pp.conn != null) {
      pp.conn.close();
      pp.conn = null;
    }
    return pool.connect(peer.host(), peer.port(), ctx)
        .onSuccess(c -> {
          pp.conn = c;
          pp.unreachableSince = 0;
        })
        .onFailure(err -> {
          if (pp.unreachableSince == 0) {
            pp.unreachableSince = System.currentTimeMillis();
          }
        });
  }

  /** One binlog read and its changes applied; true when there may be more. */
  private Future<Boolean> pullBatch(GroupPeers.Peer peer, PeerProgress pp, PeerConnection conn) {
    if (pp.snapshot != null) {
      return pullSnapshot(peer, pp, conn);
    }
    return conn.call(new StorageRequest.BinlogFetch(store.options().id(), pp.offset, FETCH_BYTES), store.options().replicaTimeoutMs())
        .recover(err -> SnapshotCursor.trimmedAway(err) ? startSnapshot(peer, pp) : Future.failedFuture(err))
        .compose(resp -> {
      if (resp == null) {
        return Future.succeededFuture(true); // from the snapshot now
      }
      StorageReply.BinlogChunk got = StorageCodec.decodeBinlogChunk(resp);
      long peerNow = got.peerNowSeconds();
      long peerSize = got.binlogSize();
      if (pp.offset > peerSize) {
        LOG.warn("storage {}: peer {} binlog is shorter than our mark ({} < {}): reading it again from the start",
            store.options().id(), peer.id(), peerSize, pp.offset);
        pp.offset = 0;
        return Future.succeededFuture(true);
      }
      byte[] chunk = got.lines();
      long from = pp.offset;
      List<Binlog.Entry> entries = Binlog.parse(chunk, pp.offset);
      if (!entries.isEmpty()) {
        LOG.debug("storage {}: binlog of {}: {} lines, offset {} of {}", store.options().id(), peer.id(), entries.size(), from, peerSize);
      }
      Future<Void> chain = applyInLanes(conn, peer, pp, entries);
      if (entries.isEmpty() && pp.offset >= peerSize) {
        // nothing new at the peer's time peerNow: we hold everything it had written by then.
        // (Not after applying a batch: the peer kept writing while we applied it.)
        boolean first = !pp.caughtUp;
        pp.caughtUp = true;
        pp.syncedUntil = peerNow;
        return first ? saveMark(peer.id(), pp).map(false) : Future.succeededFuture(false);
      }
      return chain.compose(v -> saveMark(peer.id(), pp)).map(true);
    });
  }

  /** The peer no longer holds our binlog position: its snapshot first, then its binlog from there. */
  private Future<io.vertx.core.buffer.Buffer> startSnapshot(GroupPeers.Peer peer, PeerProgress pp) {
    LOG.info("storage {}: binlog of {} was trimmed past our offset {}: catching up from its snapshot",
        store.options().id(), peer.id(), pp.offset);
    pp.snapshot = new SnapshotCursor();
    return Future.succeededFuture(null);
  }

  /** One page of the peer's snapshot applied; at its end, our position is the snapshot's offset. */
  private Future<Boolean> pullSnapshot(GroupPeers.Peer peer, PeerProgress pp, PeerConnection conn) {
    SnapshotCursor c = pp.snapshot;
    return conn.call(new StorageRequest.SnapshotFetch(store.options().id(), c.section, c.position, SnapshotCursor.PAGE, c.after),
            store.options().replicaTimeoutMs())
        .compose(resp -> {
          StorageReply.SnapshotPage page = StorageCodec.decodeSnapshotPage(resp);
          if (c.position < 0) {
            c.position = page.binlogOffset();
          }
          List<Binlog.Entry> entries = SnapshotCursor.entries(page.lines(), pp.offset);
          c.files += entries.size();
          return applyInLanes(conn, peer, pp, entries).compose(v -> {
            c.section = page.nextSection();
            c.after = page.nextAfter();
            if (page.nextSection() >= 0) {
              return Future.succeededFuture(true);
            }
            LOG.info("storage {}: snapshot of {} applied ({} entries); following its binlog from offset {}",
                store.options().id(), peer.id(), c.files, c.position);
            pp.offset = c.position;
            pp.snapshot = null;
            return saveMark(peer.id(), pp).map(true);
          });
        });
  }

  /**
   * Applies a batch of binlog entries over up to {@value #CATCH_UP_LANES} connections at once:
   * the entries of one file stay in order in one lane, and a rename (two names) waits for
   * everything before it. The offset moves at the end of each run of entries between renames;
   * after a failure that run is applied again next time, which is harmless: every change is
   * idempotent here (a file already held is not fetched, a delete of a missing file is a no-op).
   */
  private Future<Void> applyInLanes(PeerConnection first, GroupPeers.Peer peer, PeerProgress pp,
                                    List<Binlog.Entry> entries) {
    Future<Void> chain = Future.succeededFuture();
    int start = 0;
    for (int i = 0; i <= entries.size(); i++) {
      if (i < entries.size() && entries.get(i).kind() != Binlog.RENAME) {
        continue;
      }
      List<Binlog.Entry> run = entries.subList(start, i);
      if (!run.isEmpty()) {
        long end = run.get(run.size() - 1).endOffset();
        chain = chain.compose(v -> applyRun(first, peer, pp, run)).map(v -> {
          pp.offset = end;
          return null;
        });
      }
      if (i < entries.size()) {
        Binlog.Entry rename = entries.get(i);
        chain = chain.compose(v -> apply(first, peer, pp, rename)).map(v -> {
          pp.offset = rename.endOffset();
          return null;
        });
      }
      start = i + 1;
    }
    return chain;
  }

  /** One run without renames: lane {@code n} takes the files whose name hashes to {@code n}. */
  private Future<Void> applyRun(PeerConnection first, GroupPeers.Peer peer, PeerProgress pp, List<Binlog.Entry> run) {
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
      Future<PeerConnection> conn = lane == 0 ? Future.succeededFuture(first) : laneConnection(peer, pp, lane);
      done.add(conn.compose(c -> {
        Future<Void> f = Future.succeededFuture();
        for (Binlog.Entry e : mine) {
          f = f.compose(v -> apply(c, peer, pp, e));
        }
        return f.onFailure(err -> {
          if (lane > 0) {
            c.close();
            pp.lanes[lane] = null;
          }
        });
      }));
    }
    return Future.join(done).mapEmpty();
  }

  /** The extra connection of lane {@code n} (lane 0 is the puller's own), reopened when it broke. */
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

  private Future<Void> saveMark(int peerId, PeerProgress pp) {
    String text = pp.offset + " " + pp.syncedUntil + "\n";
    Path mark = marks.resolve(peerId + ".mark");
    return store.blocking(() -> {
      Path tmp = marks.resolve(peerId + ".mark.tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, mark, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return null;
    });
  }

  private Future<Void> apply(PeerConnection conn, GroupPeers.Peer peer, PeerProgress pp, Binlog.Entry e) {
    FileId id;
    try {
      id = store.validate(store.group(), e.name());
    } catch (FdfsException bad) {
      LOG.warn("storage {}: skipping binlog line from {} with a bad name: {}", store.options().id(), peer.id(), bad.getMessage());
      return Future.succeededFuture();
    }
    return switch (e.kind()) {
      // a copy we are placing ourselves right now (write quorum: the peer may log it first) comes first
      // a file deleted here since that line was written is not fetched back (placeReplica checks again)
      case Binlog.CREATE -> store.deletedSince(id, e.timestamp()) ? Future.succeededFuture()
          : store.afterPlacing(ctx, id.remoteName()).compose(v -> store.exists(id))
          .compose(has -> has ? Future.succeededFuture() : fetch(conn, id, e.timestamp(), false, pp));
      case Binlog.UPDATE -> fetch(conn, id, e.timestamp(), true, pp);
      case Binlog.DELETE -> store.applyDelete(ctx, id, e.timestamp()).onSuccess(v -> appliedNow());
      case Binlog.RENAME -> {
        FileId old = e.secondName() == null ? null : tryId(e.secondName());
        Future<Boolean> renamed = old == null ? Future.succeededFuture(false) : store.applyRename(ctx, id, old, e.timestamp());
        yield renamed.compose(done -> done ? Future.succeededFuture()
            : store.exists(id).compose(has -> has ? Future.succeededFuture() : fetch(conn, id, e.timestamp(), false, pp)));
      }
      case Binlog.METADATA -> conn.call(new StorageRequest.GetMetadata(store.group(), id.remoteName()),
              store.options().replicaTimeoutMs())
          .transform(ar -> {
            if (ar.succeeded()) {
              return store.applyMetadata(ctx, id, ar.result().getBytes(), e.timestamp());
            }
            if (ar.cause() instanceof FdfsException f && f.errno() == Errno.ENOENT) {
              return store.applyMetadata(ctx, id, null, e.timestamp());
            }
            return Future.failedFuture(ar.cause());
          }).onSuccess(v -> appliedNow());
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
  private Future<Void> fetch(PeerConnection conn, FileId id, long mtime, boolean replace, PeerProgress pp) {
    return copyFromPeer(conn, id, mtime, replace, ctx)
        .map(len -> {
          if (pp != null && len >= 0) {
            pp.files++;
            pp.bytes += len;
            io.dfstree.replication.Membership m = membership;
            if (m != null) { // FastDFS: files are arriving, no longer waiting for them
              store.status(m.fileArrived());
            }
          }
          return (Void) null;
        })
        .recover(err -> {
          if (err instanceof FdfsException f && f.errno() == Errno.ENOENT) {
            LOG.info("storage {}: {} is gone from {} (deleted since): skipped", store.options().id(), id.remoteName(), conn.peer());
            return Future.succeededFuture(); // deleted there since: a later line says so
          }
          return Future.failedFuture(err);
        });
  }

  /**
   * Copies one file from the peer on {@code conn} into place under its own name: the bytes
   * placed, or -1 when we already held it. On failure the temp copy is removed off the event loop.
   */
  private Future<Long> copyFromPeer(PeerConnection conn, FileId id, long mtime, boolean replace, Context here) {
    NewBlob tmp = store.receive(id);
    return conn.stream(new StorageRequest.Download(0, 0, store.group(), id.remoteName(), true), tmp,
            store.options().replicaTimeoutMs())
        .compose(len -> tmp.placeCopy(here, id, mtime, replace).transform(ar -> {
          // FastDFS sync-in: bytes received from a peer; successful when the copy was placed
          boolean placed = ar.succeeded() && ar.result();
          store.countSyncIn(len, placed);
          if (placed) {
            appliedNow();
          }
          return ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture(placed ? len : -1L);
        }))
        .onFailure(err -> tmp.abort());
  }

  /**
   * A client asked for a file we do not hold: ask its source first, then the other peers.
   * Runs on the caller's event loop (its connections belong to that loop).
   */
  @Override
  public Future<Void> fetchMissing(FileId id) {
    return fetchFromPeers(id, false);
  }

  /** Replaces our copy of {@code id} with a peer's (a damaged copy: {@code storage.Integrity}). */
  @Override
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
    Future<Void> attempt = Future.failedFuture(FdfsException.notFound("file does not exist on this storage or its peers"));
    for (GroupPeers.Peer p : candidates) {
      attempt = attempt.recover(err -> pool.acquire(p.host(), p.port()).compose(conn ->
          copyFromPeer(conn, id, id.decoded().createTime(), replace, vertx.getOrCreateContext())
              .<Void>mapEmpty()
              .onComplete(ar -> {
                // a clean "not here" leaves the connection usable; anything else may have broken it
                if (ar.succeeded() || (ar.cause() instanceof FdfsException f && f.errno() == Errno.ENOENT)) {
                  pool.release(conn);
                } else {
                  conn.close();
                }
              })));
    }
    return attempt;
  }

  /**
   * Members that can take an upload's copy. Members still catching up take copies too: new
   * files then never join their backlog, so the backlog shrinks even under a steady stream of
   * uploads (ACTIVE members first).
   */
  private List<GroupPeers.Peer> quorumCandidates() {
    List<GroupPeers.Peer> active = new java.util.ArrayList<>(peers.alive(System.currentTimeMillis()).stream()
        .filter(p -> p.status() == StorageStatus.ACTIVE || p.status() == StorageStatus.SYNCING
            || p.status() == StorageStatus.WAIT_SYNC)
        .toList());
    active.sort(java.util.Comparator.comparing(p -> p.status() != StorageStatus.ACTIVE));
    return active;
  }

  private FdfsException refusal(int active) {
    int quorum = store.options().writeQuorum();
    return new FdfsException(Errno.EBUSY, "write quorum " + quorum + " needs " + (quorum - 1)
        + " active peer(s), " + active + " active; refusing (storage.whenDegraded = refuse)");
  }

  /**
   * For an upload whose size is not known up front: EBUSY before its body is read when the
   * group refuses degraded writes and too few peers are up.
   */
  @Override
  public Future<Void> admit() {
    int quorum = store.options().writeQuorum();
    if (quorum <= 1 || !store.options().refusesWhenDegraded()) {
      return Future.succeededFuture();
    }
    int active = quorumCandidates().size();
    return active < quorum - 1 ? Future.failedFuture(refusal(active)) : Future.succeededFuture();
  }

  /**
   * A file whose size was unknown until its last byte (HTTP chunked or multipart, WebSocket
   * without a size) is placed here first, then streamed from disk to the quorum peers; the
   * caller awaits their copies with {@link WriteQuorum#await}. Null when no peer takes copies.
   */
  @Override
  public Future<Fanout> pushPlaced(FileId id, long size) {
    return openFanout(size, id.storePathIndex()).compose(f -> {
      if (f == null || f.targets() == 0) {
        return Future.succeededFuture(f);
      }
      return vertx.fileSystem().open(store.pathOf(id).toString(), new io.vertx.core.file.OpenOptions().setRead(true))
          .compose(file -> {
            io.vertx.core.Promise<Fanout> sent = io.vertx.core.Promise.promise();
            file.handler(chunk -> {
              f.write(chunk);
              if (f.writeQueueFull()) {
                file.pause();
                f.drainHandler(v -> file.resume());
              }
            });
            file.exceptionHandler(err -> {
              f.abort();
              file.close();
              sent.tryFail(err);
            });
            file.endHandler(v -> {
              file.close();
              sent.tryComplete(f);
            });
            return sent.future();
          });
    });
  }

  /**
   * The peers a new upload streams to. Fails with EBUSY when fewer than the write quorum are
   * active and the group refuses degraded writes.
   */
  @Override
  public Future<Fanout> openFanout(long size, int storePathIndex) {
    int quorum = store.options().writeQuorum();
    if (quorum <= 1) {
      return Future.succeededFuture(null);
    }
    List<GroupPeers.Peer> active = quorumCandidates();
    int wanted = quorum - 1;
    if (active.size() < wanted && store.options().refusesWhenDegraded()) {
      return Future.failedFuture(refusal(active.size()));
    }
    if (active.isEmpty()) {
      if (progress.isEmpty() && peers.known().isEmpty()) {
        // a group of one (no other member ever heard of, none synced from before): nothing is
        // missing, the quorum just cannot be met. Said once, not for every upload.
        if (!aloneNoticed) {
          aloneNoticed = true;
          LOG.info("storage {}: no other member in group {}: uploads are stored once (writeQuorum {}) until one joins",
              store.options().id(), store.options().group(), quorum);
        }
        return Future.succeededFuture(null);
      }
      // accept while the group's other members are missing: this copy only. An empty fanout
      // still goes through WriteQuorum, which warns about every degraded acknowledgement, as for
      // an upload whose peers dropped out during the transfer (no fanout made these silent).
      return Future.succeededFuture(new ReplicaFanout(pool, 0));
    }
    ReplicaFanout fanout = new ReplicaFanout(pool, Math.min(wanted, active.size()));
    List<Future<?>> opened = new java.util.ArrayList<>();
    for (GroupPeers.Peer p : active.subList(0, Math.min(wanted, active.size()))) {
      opened.add(pool.acquire(p.host(), p.port()).onSuccess(conn -> {
        Future<Buffer> ack = conn.begin(ReplicaFanout.prefix(size, storePathIndex), store.options().replicaTimeoutMs());
        // FastDFS sync-out: the copy streamed to this peer, successful once the peer placed it
        ack.onComplete(ar -> store.countSyncOut(size, ar.succeeded()));
        fanout.add(conn, ack);
      }));
    }
    return Future.join(opened).transform(ar -> Future.succeededFuture(fanout));
  }

  @Override
  public Future<String> await(Context ctx, Fanout f, String remoteName) {
    return WriteQuorum.await(store, ctx, f, remoteName);
  }

  @Override
  public Future<String> placeWithPeers(Context ctx, Fanout f, NewBlob upload, int crc32) {
    return WriteQuorum.placeWithPeers(store, ctx, f, upload, crc32);
  }
}
