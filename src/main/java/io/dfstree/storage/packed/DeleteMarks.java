package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delete marks of a packed store (a slot's header rewritten as {@code D}): written in the
 * {@link BatchCommitter}'s batches as a queued {@link Delete}, or — without fsync, when no batch is
 * being written — at once on the caller's thread ({@link #markNow}, issue 9, w1del). Holds what
 * both ways share: the committer's write lock, which keeps a mark made on another thread out of a
 * batch, and the volumes whose marks still wait for a force.
 */
final class DeleteMarks {
  private static final Logger LOG = LoggerFactory.getLogger(DeleteMarks.class);

  /**
   * {@code recorded}: the caller makes the delete durable elsewhere (its tombstone and binlog line)
   * and a restart marks again any slot whose mark a crash took ({@code
   * PackedBlobEngine.recoverDeletes}), so the mark is answered once written, without a force of its
   * own; the volume is forced with its next batch, its next checkpoint or at stop.
   */
  record Delete(TrunkId id, boolean recorded, CompletableFuture<Void> done)
      implements CommitQueue.Write {
    public int bytes() {
      return SlotHeader.SIZE;
    }
  }

  private final PackedStore store;

  /**
   * Held by the committer's thread while it writes a batch ({@link #lock}); {@link #markNow} takes
   * it with {@code tryLock}, so a mark made on another thread never overlaps a batch (nor a
   * snapshot taken in one) and never waits for one.
   */
  private final ReentrantLock writing = new ReentrantLock();

  /** Set (under no lock) when the store closes: {@link #markNow} reads it under the lock. */
  private volatile boolean closed;

  /** Delete marks written by {@link #markNow} on the caller's thread (tests, the benchmark). */
  volatile long markedNow;

  /**
   * Volumes holding delete marks written without a force (see {@link Delete}). Read and changed
   * under {@link #writing} (the committer's batches and checkpoints; {@link #markNow}), or at stop
   * once no {@link #markNow} can mark any more.
   */
  private final Set<Volume> unforced = new HashSet<>();

  DeleteMarks(PackedStore store) {
    this.store = store;
  }

  /**
   * The committer starts (or resumes) writing: {@link #markNow} stays out until {@link #unlock}.
   */
  void lock() {
    writing.lock();
  }

  void unlock() {
    writing.unlock();
  }

  /** From now on {@link #markNow} marks nothing: the caller queues the delete (and is refused). */
  void close() {
    closed = true;
  }

  /**
   * Writes the {@code D} mark of {@code id}'s slot on the calling thread, as a recorded {@link
   * Delete} in a batch would (the caller records the delete: tombstone and binlog line, forced
   * before its answer when fsync is on), when the committer is not writing a batch now — no
   * hand-off to its thread and back for a 32-byte header read and rewrite in the page cache (issue
   * 9: w1del without fsync, grpdel2 with fsync for deletes that come together). With fsync the
   * volume joins those whose marks wait for a force, as a recorded mark written in a batch does
   * (forced with the volume's next batch, its next checkpoint or at stop; a restart marks again
   * from the tombstones what a crash took). True when marked; false, with nothing done, when a
   * batch is being written ({@code tryLock}: never waits), the store is closing, or the slot lies
   * in what an index checkpoint covers (the mark would first delete that checkpoint and force its
   * directory: the committer does that); then the caller queues the delete. ENOENT when the slot is
   * not here, as a queued delete.
   */
  boolean markNow(TrunkId id) throws IOException {
    if (!writing.tryLock()) {
      return false;
    }
    try {
      if (closed) {
        return false;
      }
      Volume v = store.volume(id.sourceKey(), id.volume());
      if (v != null && id.offset() < Math.max(v.checkpointCovered, v.pendingCovered)) {
        return false;
      }
      SlotWrites.markDeleted(v, id);
      v.changes++; // under the lock: the next snapshot sees it (the volume's index changed)
      if (store.options.fsync()) {
        unforced.add(v); // under the lock, which the committer holds wherever it reads the set
      }
      markedNow++;
      return true;
    } finally {
      writing.unlock();
    }
  }

  /**
   * Writes a queued delete's mark in a batch (committer thread, lock held). A recorded delete is
   * answered here; otherwise returns the volume the batch must force before it answers the delete.
   */
  Volume mark(Delete d) throws IOException {
    Volume v = store.volume(d.id.sourceKey(), d.id.volume());
    if (v != null) {
      IndexCheckpoint.beforeChange(v, d.id.offset());
    }
    SlotWrites.markDeleted(v, d.id);
    if (!d.recorded) {
      return v;
    }
    // answered now: the caller's record of the delete is what a crash cannot take
    v.changes++;
    unforced.add(v);
    d.done.complete(null);
    return null;
  }

  /** A batch forced these volumes: their marks, too. Committer thread. */
  void forced(List<Volume> volumes) {
    unforced.removeAll(volumes);
  }

  /**
   * Forces the volumes holding delete marks written without a force (checkpoint, stop). Committer
   * thread. Returns the forces run.
   */
  int force() {
    if (!store.options.fsync()) {
      unforced.clear();
      return 0;
    }
    int forces = 0;
    for (Iterator<Volume> it = unforced.iterator(); it.hasNext(); ) {
      Volume v = it.next();
      try {
        v.channel.force(false);
        forces++;
        it.remove();
      } catch (IOException e) {
        // left for the next try; a restart marks the slots again from their tombstones
        LOG.warn(
            "packed store M{}: forcing delete marks failed: {}",
            store.storePathIndex,
            e.toString());
      }
    }
    return forces;
  }
}
