package io.dfstree.storage.packed;

import static io.dfstree.storage.packed.CommitQueue.answer;
import static io.dfstree.storage.packed.CommitQueue.fail;
import static io.dfstree.storage.packed.VolumeGrower.GROW_WITHOUT_ZEROS;
import static io.dfstree.storage.packed.VolumeGrower.growFor;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.packed.CommitQueue.Append;
import io.dfstree.storage.packed.CommitQueue.Control;
import io.dfstree.storage.packed.CommitQueue.Op;
import io.dfstree.storage.packed.CommitQueue.Place;
import io.dfstree.storage.packed.CommitQueue.Release;
import io.dfstree.storage.packed.CommitQueue.Snapshot;
import io.dfstree.storage.packed.CommitQueue.Write;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for a packed store: one thread takes everything queued (appends, deletes, replicated
 * slots) up to {@code maxBatchBytes}, writes it — the appends as one gathering write at the end of
 * the active volume — forces every volume it touched once, and only then completes the batch's
 * futures. While it forces, new writes queue up for the next batch, so under concurrent load one
 * {@code fdatasync} serves many files. A single writer also keeps a volume's own slots in order:
 * nothing acknowledged can sit behind an unfinished slot.
 *
 * <p>Why over 400 lines: the asks other threads put on the queue, the ops they make, and how an op
 * is answered or failed, are {@link CommitQueue}; the writes at a place a name gives (a delete's
 * mark, a released reservation, a peer's or a repaired slot) are {@link SlotWrites}, the delete
 * marks and their lock {@link DeleteMarks}, how a write past a volume's end grows it (zeros ahead
 * or not) {@link VolumeGrower}; this class keeps the loop and the commit, which share the one thing
 * no other class may touch: the write position of each volume, which only this thread moves. A
 * snapshot of the indexes and the stop ({@link Control}) run between batches, never in one.
 */
final class BatchCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(SlotHeader.ALIGN);

  private final PackedStore store;
  private final SlotLog log;
  private final LineForcer forcer;
  private final DeleteMarks marks;
  private final CommitQueue commits;
  private final LinkedBlockingQueue<Op> queue;
  private final Thread thread;

  /** A batch's volumes forced at once (its own and its peer's, in a group). */
  final VolumeForces volumeForces;

  /** Batches written and slots appended (the benchmark reports slots per sync). */
  volatile long batches;

  volatile long appended;

  /** Peers' copies refused because their source hung up first ({@link Place}; tests). */
  volatile long abandoned;

  /** Volume forces that ran (tests: a recorded delete's mark takes none of its own). */
  volatile long forces;

  /** Zeros written ahead of need and forced, off the batches' path. */
  final VolumeGrower grower;

  /**
   * {@code commits}: the queue this thread takes its batches from. {@code marks}: locked by this
   * thread while it writes a batch ({@link #commit}), so that a delete marked on another thread
   * ({@link DeleteMarks#markNow}) never overlaps one.
   */
  BatchCommitter(
      PackedStore store, CommitQueue commits, DeleteMarks marks, SlotLog log, LineForcer forcer) {
    this.store = store;
    this.commits = commits;
    this.queue = commits.ops;
    this.marks = marks;
    this.log = log;
    this.forcer = forcer;
    this.thread =
        new Thread(this::loop, String.format("packed-commit-M%02X", store.storePathIndex));
    thread.setDaemon(true);
    this.volumeForces = new VolumeForces(store.storePathIndex);
    this.grower = new VolumeGrower(store.storePathIndex);
  }

  void start() {
    thread.start();
  }

  /** The committer whose thread this is, if any. */
  private static final ThreadLocal<BatchCommitter> CURRENT = new ThreadLocal<>();

  /**
   * Whether the calling thread is a packed store's committer (see {@link PackedStore#afterBatch}).
   */
  static boolean onCommitterThread() {
    return CURRENT.get() != null;
  }

  void close() {
    marks.close();
    commits.close();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    volumeForces.close();
    grower.close();
  }

  /**
   * Takes the writes queued up to {@code maxBatchBytes} into a batch and commits it; a snapshot or
   * the stop ends the batch's gathering and runs after the writes queued before it, between two
   * batches ({@link Control}).
   */
  private void loop() {
    CURRENT.set(this);
    List<Write> batch = new ArrayList<>();
    Op next = null; // a control op that ended the last batch's gathering
    while (true) {
      Op op = next;
      next = null;
      if (op == null) {
        try {
          op = queue.take();
        } catch (InterruptedException e) {
          return;
        }
      }
      if (op instanceof Control c) {
        if (control(c)) {
          return;
        }
        batchEnded(queue.isEmpty());
        continue;
      }
      Write first = (Write) op;
      batch.add(first);
      long bytes = first.bytes();
      while (bytes < store.options.maxBatchBytes() && (op = queue.poll()) != null) {
        if (op instanceof Write w) {
          batch.add(w);
          bytes += w.bytes();
        } else {
          next = op; // after this batch: it sees the writes queued before it, none after
          break;
        }
      }
      marks.lock();
      try {
        commit(batch, bytes >= GROW_WITHOUT_ZEROS);
      } finally {
        marks.unlock();
      }
      batch.clear();
      // what the batch's answers queued for this thread (a delete round), while nothing waits
      batchEnded(next == null && queue.isEmpty());
    }
  }

  /**
   * Runs a snapshot or the stop, between two batches (committer thread, no batch in flight).
   * Returns whether the committer stops.
   */
  private boolean control(Control c) {
    if (c instanceof Snapshot s) {
      marks.lock(); // no delete marked on another thread meanwhile (DeleteMarks#markNow)
      try {
        s.done.complete(snapshot());
      } catch (RuntimeException e) {
        s.done.completeExceptionally(e);
      } finally {
        marks.unlock();
      }
      return false;
    }
    forces += marks.force();
    for (Op op; (op = queue.poll()) != null; ) {
      fail(op, new FdfsException(Errno.EBUSY, "packed store is closed"));
    }
    batchEnded(true);
    return true;
  }

  /**
   * Copies of the indexes of the volumes changed since their last checkpoint: after the batches
   * before it are durable and indexed, with no write in flight, a consistent copy. Committer
   * thread, {@link DeleteMarks} locked.
   */
  private List<IndexCheckpoint.Snapshot> snapshot() {
    forces += marks.force(); // a checkpoint never describes a mark the volume may lose
    List<IndexCheckpoint.Snapshot> snaps = new ArrayList<>();
    for (Volume v : store.volumes()) {
      if (v.changes != v.checkpointedChanges || v.checkpointCovered == 0) {
        IndexCheckpoint.Snapshot snap = IndexCheckpoint.take(v);
        v.checkpointedChanges = v.changes;
        if (snap != null) {
          snaps.add(snap);
        }
      }
    }
    return snaps;
  }

  /**
   * Writes one batch, forces it, then answers it. {@code large}: its writes past a volume's end
   * make it longer without zeros ahead ({@link VolumeGrower#GROW_WITHOUT_ZEROS}).
   */
  private void commit(List<Write> batch, boolean large) {
    if (forcer != null) {
      try {
        forcer.bound(); // what a crash may take of the lines stays within what a restart re-reads
      } catch (IOException e) {
        for (Write op : batch) {
          fail(op, new FdfsException(Errno.EIO, "binlog sync failed: " + e.getMessage()));
        }
        return;
      }
    }
    List<Volume> touched = new ArrayList<>();
    List<Volume> extended = new ArrayList<>(2); // written at their end: zeros ahead may be due
    List<Write> written = new ArrayList<>();
    List<Object> results = new ArrayList<>();
    List<ByteBuffer> gather = new ArrayList<>();
    Volume gatherVolume = null;
    long gatherStart = -1;
    long gatherEnd = -1;
    for (Write op : batch) {
      try {
        if (op instanceof Append a) {
          int len = SlotHeader.slotLength(a.content.remaining());
          long[] at = store.allocate(len);
          Volume v = store.volume(store.sourceKey, (int) at[0]);
          growFor(store.options, v, at[1] + len, large);
          if (v != gatherVolume || at[1] != gatherEnd) {
            // a reservation came in between, or a new volume: write what is gathered so far
            flush(gatherVolume, gather, gatherStart);
            gather.clear();
            gatherVolume = v;
            gatherStart = at[1];
          }
          int offset = (int) at[1];
          gatherEnd = at[1] + len;
          SlotHeader h =
              new SlotHeader(
                  SlotHeader.FILE,
                  len,
                  a.content.remaining(),
                  a.crc32,
                  a.time,
                  a.sizeHigh,
                  a.extPart);
          gather.add(h.encode());
          gather.add(a.content.duplicate());
          int pad = len - SlotHeader.SIZE - a.content.remaining();
          if (pad > 0) {
            gather.add(ZEROS.duplicate().limit(pad));
          }
          mark(v, touched);
          extended(v, extended);
          written.add(op);
          results.add(
              new TrunkId(
                  store.storePathIndex,
                  store.sourceKey,
                  a.time,
                  a.sizeHigh,
                  a.content.remaining(),
                  a.crc32,
                  v.number,
                  offset,
                  len,
                  a.extPart));
        } else if (op instanceof DeleteMarks.Delete d) {
          Volume v = marks.mark(d);
          if (v == null) {
            continue; // recorded: answered already
          }
          mark(v, touched);
          written.add(op);
          results.add(null);
        } else if (op instanceof Place p) {
          if (p.gone.getAsBoolean()) {
            // its source hung up before this copy got here: it counted the copy as missing
            abandoned++;
            fail(op, new FdfsException(Errno.EIO, "source closed the connection"));
            continue;
          }
          boolean placed = SlotWrites.place(store, p.id, p.content, p.repair, large);
          if (placed) {
            Volume v = store.volume(p.id.sourceKey(), p.id.volume());
            mark(v, touched);
            if (!p.repair) {
              extended(v, extended);
            }
          }
          written.add(op);
          results.add(placed);
        } else if (op instanceof Release r) {
          Volume v = store.volume(r.id.sourceKey(), r.id.volume());
          growFor(store.options, v, (long) r.id.offset() + r.id.slotLength(), large);
          SlotWrites.release(v, r.id);
          mark(v, touched);
          extended(v, extended);
          written.add(op);
          results.add(null);
        }
      } catch (Exception e) {
        fail(op, e);
      }
    }
    try {
      flush(gatherVolume, gather, gatherStart);
      if (store.options.fsync()) {
        forces += volumeForces.force(touched);
        marks.forced(touched);
      }
      batches++;
    } catch (IOException e) {
      LOG.error(
          "packed store M{}: batch of {} writes failed: {}",
          store.storePathIndex,
          written.size(),
          e.toString());
      for (Write op : written) {
        fail(op, new FdfsException(Errno.EIO, "packed store write failed: " + e.getMessage()));
      }
      return;
    } finally {
      for (Volume v : touched) {
        v.dirty = false;
      }
    }
    // visible to readers only once durable: a read never returns what a crash could take back
    List<SlotLog.Placed> placed = new ArrayList<>();
    long placedBytes = 0;
    for (int i = 0; i < written.size(); i++) {
      Write op = written.get(i);
      if (op instanceof Append a) {
        TrunkId id = (TrunkId) results.get(i);
        Volume v = store.volume(store.sourceKey, id.volume());
        synchronized (v) {
          v.index.add(id.offset(), id.slotLength(), true);
        }
        appended++;
        placed.add(new SlotLog.Placed(id, a.time & 0xFFFFFFFFL, false));
        placedBytes += id.slotLength();
      } else if (op instanceof Place p && !p.repair && Boolean.TRUE.equals(results.get(i))) {
        placed.add(new SlotLog.Placed(p.id, p.timestamp, p.copy));
        placedBytes += p.id.slotLength();
      }
    }
    // the binlog lines, after the slots are durable (a peer that reads a line finds the slot)
    // and without a sync of their own: the LineForcer syncs them, a restart rewrites lost ones
    if (!placed.isEmpty()) {
      try {
        log.placed(placed);
        if (forcer != null) {
          forcer.wrote(placedBytes);
        }
      } catch (IOException | RuntimeException e) {
        // the slots stand (durable, readable); a restart writes their lines again
        LOG.error(
            "packed store M{}: binlog lines for {} slots not written: {}",
            store.storePathIndex,
            placed.size(),
            e.toString());
      }
    }
    // the answers (and what callers composed on them) without the lock: a delete sent right
    // after its upload's answer may be marked on its event loop meanwhile (DeleteMarks#markNow)
    marks.unlock();
    try {
      answer(written, results);
    } finally {
      marks.lock();
    }
    if (store.options.fsync() && !large) {
      // the next zeros before a batch needs them, on the grow thread (a large batch grows its
      // volumes by its own slots: zeros would only double what the device writes)
      for (Volume v : extended) {
        grower.ahead(store.options, v, store.volumes.dataEnd(v));
      }
    }
  }

  private void batchEnded(boolean idle) {
    try {
      store.afterBatch.ended(idle);
    } catch (RuntimeException e) {
      LOG.error("packed store M{}: after a batch: {}", store.storePathIndex, e.toString());
    }
  }

  /** One gathering write of consecutive slots (only this thread moves a channel's position). */
  private static void flush(Volume v, List<ByteBuffer> gather, long start) throws IOException {
    if (gather.isEmpty()) {
      return;
    }
    ByteBuffer[] srcs = gather.toArray(ByteBuffer[]::new);
    v.channel.position(start);
    long remaining = 0;
    for (ByteBuffer b : srcs) {
      remaining += b.remaining();
    }
    v.wrote(start, start + remaining);
    while (remaining > 0) {
      remaining -= v.channel.write(srcs);
    }
  }

  private static void extended(Volume v, List<Volume> extended) {
    if (!extended.contains(v)) {
      extended.add(v);
    }
  }

  private static void mark(Volume v, List<Volume> touched) {
    v.changes++;
    if (!v.dirty) {
      v.dirty = true;
      touched.add(v);
    }
  }
}
