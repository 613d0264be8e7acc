package io.dfstree.storage;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.StorageCounters;
import io.dfstree.config.StorageOptions;
import io.dfstree.protocol.StorageStatus;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The state one storage shares across its protocol event loops: options, store paths and file
 * operations, FastDFS's statistics counters, connection counts, and what it knows of its peers.
 */
final class StorageNode {
  static final String VERSION = "6.15.0";

  final StorageOptions options;
  final StorePaths paths;
  final StoredFiles files;

  /** What stores, reads, deletes and lists blobs: every front end goes through these. */
  final BlobEngines engines;

  /**
   * The packed small-file engine: takes new small uploads when {@code storage.packed.enabled},
   * serves the slots it holds either way.
   */
  final PackedBlobEngine packed;

  final DrainingExecutor disk;
  final AtomicLongArray counters = new AtomicLongArray(StorageCounters.COUNT);
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger connectionsMax = new AtomicInteger();
  final AtomicInteger connectionsAlloc = new AtomicInteger();

  /** Hosts of other storages, learned from their heartbeats (file names carry only ids). */
  final Map<Integer, String> peerHosts = new ConcurrentHashMap<>();

  final long upTime = System.currentTimeMillis() / 1000;
  volatile long joinTime;
  volatile long lastSourceUpdate;
  volatile long lastSyncUpdate;

  /** Catch-up, write quorum and fetch-on-miss, from the composition root ({@link Replication}). */
  final Replication replication;

  private volatile StorageStatus status = StorageStatus.ACTIVE;

  /** Called on every state change so trackers hear it at once, not at the next beat. */
  volatile Runnable onStatusChange = () -> {};

  StorageStatus status() {
    return status;
  }

  void status(StorageStatus next) {
    if (next != status) {
      status = next;
      onStatusChange.run();
    }
  }

  /** Where finished requests are reported (metrics); set by the HTTP layer when it starts. */
  volatile StorageEvents events = StorageEvents.NONE;

  /**
   * What one client may hold on the storage port ({@code storage.limits}); set before the port
   * opens.
   */
  volatile io.dfstree.protocol.ClientLimits limits = io.dfstree.protocol.ClientLimits.DEFAULTS;

  final io.dfstree.protocol.ClientWatch.Cap cap = new io.dfstree.protocol.ClientWatch.Cap();

  /** Client mistakes, logged once per kind per interval. */
  volatile io.dfstree.protocol.RateLimitedLog clientLog =
      new io.dfstree.protocol.RateLimitedLog(
          org.slf4j.LoggerFactory.getLogger(StorageConnection.class),
          io.dfstree.protocol.ClientLimits.DEFAULT_LOG_INTERVAL_MS);

  /**
   * Who is a group member on the storage port (null until the verticle has loaded the secret: peers
   * refused).
   */
  volatile PeerAuth peerAuth;

  /** File changes announced to the cluster (web console, event-bus clients). */
  final FileEventPublisher fileEvents;

  /** CRC32 checks of stored copies and their repair from peers. */
  final Integrity integrity;

  /** Binlog segments and the members reading them; null until the verticle opened the binlog. */
  volatile BinlogTrim binlogTrim;

  /** The background scrub, once started. */
  volatile Scrubber scrubber;

  /** This process's cluster member id (in every heartbeat), null when not clustered. */
  final String nodeId;

  StorageNode(Vertx vertx, StorageOptions options, Replication.Factory replication) {
    this.options = options;
    this.paths = new StorePaths(options);
    // a pool of its own: disk calls must not queue behind other blocking work, and its size is
    // a tuning knob (many threads overlap fsyncs; few threads avoid directory-lock contention)
    this.disk =
        new DrainingExecutor(
            vertx.createSharedWorkerExecutor("dfstree-disk-" + options.id(), options.diskThreads()));
    this.files = new StoredFiles(disk, paths, options.id(), options.group(), options.fsync());
    FileBlobEngine plain = new FileBlobEngine(files, disk);
    // built even with packing off: slots stored while it was on stay readable, deletable and
    // replicated, and a peer that packs can still place its slots here; off only means new
    // uploads go to files of their own
    this.packed =
        new PackedBlobEngine(
            vertx,
            files,
            disk,
            new io.dfstree.storage.packed.PackedOptions(
                (int) options.packed().maxFileSize(),
                options.packed().volumeSize(),
                options.fsync(),
                Math.max(
                    io.dfstree.storage.packed.PackedOptions.DEFAULT_MAX_BATCH_BYTES,
                    2 * (int) options.packed().maxFileSize() + 64),
                4L
                    * Math.max(
                        io.dfstree.storage.packed.PackedOptions.DEFAULT_MAX_BATCH_BYTES,
                        2 * (int) options.packed().maxFileSize() + 64)),
            options.id(),
            plain,
            options.packed().maxPendingBytes());
    packed.inlineReadWindow(options.packed().inlineReadWindow());
    files.packed(packed);
    this.engines =
        new BlobEngines(
            List.of(packed, plain),
            options.packed().enabled() ? List.of(packed, plain) : List.of(plain));
    peerHosts.put(options.id(), options.clientHost());
    this.fileEvents = new FileEventPublisher(vertx);
    this.nodeId = ClusterNode.id(vertx);
    this.integrity = new Integrity(this, options.reliability());
    this.files.knownGood = integrity.knownGood;
    packed.reads.repairer = id -> integrity.repair(vertx.getOrCreateContext(), id);
    this.replication =
        replication.create(vertx, new ReplicaStore(this)); // last: it reads the fields above
  }

  /** Announces a change this storage took from a client (replicated copies are not announced). */
  void announce(String type, String remoteName, long size) {
    fileEvents.publish(
        new io.dfstree.api.FileEvent(
            type,
            files.group() + "/" + remoteName,
            size,
            options.id(),
            System.currentTimeMillis()));
  }

  /**
   * Blocking: prepares every store path and remembers when this storage first started on its data.
   */
  void prepare() throws IOException {
    for (StorePath p : paths.all()) {
      p.prepare(options.subdirCount());
    }
    if (packed != null) {
      packed.open(); // rebuilds the packed volumes' index
    }
    Path mark = paths.all().get(0).data.resolve(".storage_join_time");
    if (Files.exists(mark)) {
      joinTime = Long.parseLong(Files.readString(mark).trim());
    } else {
      joinTime = upTime;
      Files.writeString(mark, Long.toString(joinTime));
    }
  }

  /**
   * Blocking: re-measures free space, and unlinks kept deleted files of a path short of room for
   * them above its reserve (packed uploads, which take none, may have filled it since).
   */
  void refreshSpace() throws IOException {
    for (StorePath p : paths.all()) {
      p.refreshSpace();
      files.recycled().trim(p);
    }
  }

  void count(int totalIndex, boolean success) {
    counters.incrementAndGet(totalIndex);
    if (success) {
      counters.incrementAndGet(totalIndex + 1);
    }
  }

  void countBytes(int totalIndex, long bytes, boolean success) {
    counters.addAndGet(totalIndex, bytes);
    if (success) {
      counters.addAndGet(totalIndex + 1, bytes);
    }
  }

  void connectionOpened() {
    connectionsAlloc.incrementAndGet();
    int now = connections.incrementAndGet();
    connectionsMax.accumulateAndGet(now, Math::max);
  }

  void connectionClosed() {
    connections.decrementAndGet();
    cap.closed(); // taken by the listener before the connection was created
  }

  Heartbeat heartbeat() {
    List<Heartbeat.StorePathStat> stats = new ArrayList<>();
    for (StorePath p : paths.all()) {
      stats.add(
          new Heartbeat.StorePathStat(
              p.index, p.totalBytes(), p.freeBytes(), paths.reserveOf(p), p.readOnly));
    }
    long[] c = new long[StorageCounters.COUNT];
    for (int i = 0; i < c.length; i++) {
      c[i] = counters.get(i);
    }
    int[] conns = {connectionsAlloc.get(), connections.get(), connectionsMax.get()};
    return new Heartbeat(
        options.id(),
        options.group(),
        options.clientHost(),
        options.port(),
        options.httpPort(),
        status.name(),
        stats,
        options.subdirCount(),
        options.uploadPriority(),
        VERSION,
        joinTime,
        upTime,
        options.heartbeatIntervalMs(),
        c,
        conns,
        lastSourceUpdate,
        lastSyncUpdate,
        replication.syncedUntil(),
        paths.currentWritePath(),
        nodeId);
  }
}
