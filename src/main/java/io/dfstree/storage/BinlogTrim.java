package io.dfstree.storage;

import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the binlog's disk use bounded: hears where each member has read to ({@link BinlogReaders}),
 * answers binlog reads behind the oldest line held with ERANGE and snapshot pages ({@link
 * Snapshot}) instead, and every few seconds deletes the segments that every member has passed. Runs
 * its disk work on the storage's disk workers.
 */
final class BinlogTrim {
  private static final Logger LOG = LoggerFactory.getLogger(BinlogTrim.class);

  /** How often segments are checked (cheap: a min over a handful of positions). */
  static final long INTERVAL_MS = 2000;

  private final StorageNode node;
  private final Binlog log;
  private final BinlogReaders readers;

  /** Members of the group heard of (heartbeats): id and when last heard. */
  private final Map<Integer, Long> members = new java.util.concurrent.ConcurrentHashMap<>();

  private volatile long trimmedBytes;
  private volatile long snapshotsServed;
  private long timer = -1;
  private boolean running;

  BinlogTrim(StorageNode node, Binlog log, BinlogReaders readers) {
    this.node = node;
    this.log = log;
    this.readers = readers;
  }

  /** A member of the group beat at {@code nowMillis}. */
  void heard(int storageId, long nowMillis) {
    members.put(storageId, nowMillis);
  }

  /** Blocking: the binlog's readers saved last time, beside it. */
  static BinlogReaders loadReaders(Binlog log, java.nio.file.Path binlogFile, long forgetAfterMs)
      throws IOException {
    return BinlogReaders.load(
        binlogFile.resolveSibling(binlogFile.getFileName() + ".readers"), forgetAfterMs);
  }

  void start(Vertx vertx) {
    timer = vertx.setPeriodic(INTERVAL_MS, t -> trimNow());
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Deletes the segments every member has passed, off the event loop; the bytes freed. */
  Future<Long> trimNow() {
    if (running) {
      return Future.succeededFuture(0L);
    }
    running = true;
    return node.disk
        .executeBlocking(
            () -> {
              long point =
                  readers.trimPoint(
                      log.size(), List.copyOf(members.entrySet()), System.currentTimeMillis());
              // not past plain deletes whose directories are not forced yet: a start redoes them
              // from the binlog (Trash)
              point = Math.min(point, node.files.trash().syncedOffset());
              long freed = log.trim(point);
              readers.save();
              if (freed > 0) {
                trimmedBytes += freed;
                LOG.debug(
                    "storage {}: binlog trimmed up to {}: {} bytes freed, {} segment(s) left",
                    node.options.id(),
                    point,
                    freed,
                    log.segmentCount());
              }
              return freed;
            },
            false)
        .onComplete(ar -> running = false);
  }

  /** A member reads from {@code f.offset()}: its position; ERANGE when that was trimmed. */
  void binlogRead(StorageRequest.BinlogFetch f) {
    readers.reported(f.requesterId(), f.offset(), System.currentTimeMillis());
    if (log.trimmed(f.offset())) {
      throw Snapshot.trimmed(f.offset(), log.firstOffset());
    }
  }

  /** A page of our snapshot; the requester's position is the snapshot's offset meanwhile. */
  Future<StorageReply.SnapshotPage> snapshotPage(StorageRequest.SnapshotFetch f) {
    long position = f.position() < 0 ? log.size() : Math.min(f.position(), log.size());
    if (f.position() < 0) {
      snapshotsServed++;
      LOG.info(
          "storage {}: storage {} catches up from a snapshot taken at binlog offset {}",
          node.options.id(),
          f.requesterId(),
          position);
    }
    readers.reported(f.requesterId(), position, System.currentTimeMillis());
    return Snapshot.page(node, f.section(), f.after(), f.limit(), position);
  }

  long trimmedBytes() {
    return trimmedBytes;
  }

  long snapshotsServed() {
    return snapshotsServed;
  }
}
