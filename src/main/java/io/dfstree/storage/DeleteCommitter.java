package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.storage.DeleteRound.Request;
import io.dfstree.storage.packed.PackedStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit for deletes (issue 9): the deletes that arrive together share one durable round
 * ({@link DeleteRound}: one force per directory, their tombstones, their binlog lines written as
 * one and forced once) where each delete used to take a disk thread for its own round. This class
 * chooses where and when a round runs; what a round does is {@link DeleteRound}'s, the same on
 * every thread, so that a place added for one kind of delete cannot change what rounds record.
 *
 * <p>One round runs at a time on a thread of the disk pool ({@link #submit}, {@link #drain}): while
 * it forces, new deletes queue, and the next round takes them all. A round that needs no thread hop
 * runs where the delete already is: without fsync a client's lone plain delete on the event loop
 * that read it ({@link #plainOnLoop}), a packed delete on the packed committer's thread that marked
 * it ({@link #inlinePacked}) or on the event loop that marked it ({@link #packedOnLoop}); with
 * fsync, deletes that come one at a time on the packed committer's thread after the batch that
 * marked them ({@link #committerBatchEnded}). Callers hold each file's lock until their delete is
 * answered ({@link StoredFiles#withLock}), and no delete is answered before its round is durable,
 * wherever it ran. A packed slot comes here after its volume's committer made its {@code D} mark
 * durable (one force per volume and batch), so a packed delete costs a share of one volume force
 * and of one binlog force.
 */
final class DeleteCommitter {
  private final WorkerExecutor disk;
  private final FileChanges changes;
  private final StoredFiles files;
  private final DeleteRound round;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();

  /** A round on the disk pool or on a packed committer's thread, running or about to. */
  private final AtomicBoolean running = new AtomicBoolean();

  /**
   * Without fsync a packed delete's round forces nothing (no -m file to look for either, as a rule:
   * {@link PackedMetadataNote}): two appends to files in the page cache. It then runs on the packed
   * committer's thread that marked the slot, not on a disk thread woken for it — one thread hop
   * fewer per delete on every member (issue 9's group delete profile: the hops, not the writes,
   * were its disk and committer time).
   */
  private final boolean inlinePacked;

  /** Client deletes of plain files begun here and not yet answered ({@link #plain}). */
  private final AtomicInteger plainInFlight = new AtomicInteger();

  /** Set on a packed committer's thread that queued a delete and owes it a round or a drain. */
  private static final ThreadLocal<Boolean> HELD = new ThreadLocal<>();

  /**
   * Deletes in the last round (any thread): more than one says deletes come concurrently, and the
   * next round goes to the disk pool ({@link #committerBatchEnded}).
   */
  private volatile int lastRoundSize;

  /** Off: every plain delete takes the disk pool's round, as before (tests). */
  volatile boolean plainOnLoopAllowed = true;

  /**
   * Rounds made durable so far on the disk pool (tests: deletes per round; see committerRounds).
   * Like every round counter here it counts before the round's answers, so a test that reads it
   * after its answer sees its round.
   */
  final LongAdder rounds = new LongAdder();

  /** Plain deletes' rounds run on an event loop ({@link #plainOnLoop}; tests). */
  final LongAdder plainLoopRounds = new LongAdder();

  /** Rounds run on an event loop ({@link #packedOnLoop}; tests). */
  final LongAdder loopRounds = new LongAdder();

  /** Rounds run on a packed committer's thread after its batch (tests: no disk thread woken). */
  final LongAdder committerRounds = new LongAdder();

  /** Rounds run on the caller's thread ({@link #inlinePacked}; tests). */
  final LongAdder inlineRounds = new LongAdder();

  /** Deletes whose marks an event loop wrote with fsync on ({@link #packedMarkedOnLoop}; tests). */
  final LongAdder markedOnLoop = new LongAdder();

  DeleteCommitter(WorkerExecutor disk, FileChanges changes, StoredFiles files, boolean fsync) {
    this.disk = disk;
    this.changes = changes;
    this.files = files;
    this.round = new DeleteRound(disk, changes, files);
    this.inlinePacked = !fsync;
  }

  /** What a round does, and its own switches and counters (tests). */
  DeleteRound round() {
    return round;
  }

  /**
   * The delete of the plain file of {@code id} at {@code path}, in the next round: moved into its
   * store path's {@link Trash} (unlinked behind the answer; at once on a store path without room),
   * its {@code -m} file removed, its tombstone and line. The caller holds the file's lock.
   */
  Future<Void> plain(Context ctx, FileId id, Path path, long ts, boolean local) {
    if (!local) {
      return submitPlain(ctx, id, path, ts, false);
    }
    int inFlight = plainInFlight.incrementAndGet();
    Future<Void> f;
    try {
      f =
          inFlight == 1 && mayDeletePlainOnLoop(id.storePathIndex())
              ? plainOnLoop(ctx, id, path, ts)
              : submitPlain(ctx, id, path, ts, true);
    } catch (RuntimeException e) {
      plainInFlight.decrementAndGet();
      throw e;
    }
    return f.onComplete(ar -> plainInFlight.decrementAndGet());
  }

  /** A plain file's delete queued for the disk pool's next round ({@link #plain}). */
  private Future<Void> submitPlain(Context ctx, FileId id, Path path, long ts, boolean local) {
    return submit(Request.plain(id, path, ts, local, promise(ctx)));
  }

  /**
   * Whether a client's plain delete, alone ({@link #plainInFlight}), may run its round on the
   * calling event loop ({@link #plainOnLoop}): fsync off, no round on the disk pool now or queued
   * for it, the store path has room (a full one unlinks in the round) and the round would only
   * append to the tombstone file and the binlog in the page cache ({@link
   * FileChanges#deleteRoundStaysInPageCache}).
   */
  private boolean mayDeletePlainOnLoop(int storePathIndex) {
    return plainOnLoopAllowed
        && inlinePacked
        && Context.isOnEventLoopThread()
        && !running.get()
        && queue.isEmpty()
        && files.paths().hasRoomFor(files.paths().get(storePathIndex), 0)
        && changes.deleteRoundStaysInPageCache();
  }

  /**
   * A client's lone plain delete without fsync, its round run here and now on the event loop that
   * read it (w1del26): the rename into the trash, the {@code -m} file's stat, the tombstone and the
   * binlog line appended in the page cache, then the answer; the unlink stays on the trash's
   * thread, behind the answer. The same steps in the same order as a round on a disk thread, under
   * the file's lock; only the two thread hand-offs go (the loop's wake-up of a disk thread and the
   * disk thread's of the loop: ~60-80 us of CPU per delete on this VM, PROFILE.md). As {@link
   * #packedOnLoop} does for packed slots.
   */
  private Future<Void> plainOnLoop(Context ctx, FileId id, Path path, long ts) {
    Request r = Request.plain(id, path, ts, true, promise(ctx));
    runRound(List.of(r), plainLoopRounds);
    return r.done().future();
  }

  /**
   * The rest of a packed slot's delete, once its {@code D} mark is durable ({@code slotDeleted}) or
   * a peer's delete found no slot here: its {@code -m} file, tombstone and line. The caller holds
   * the slot's lock.
   */
  Future<Void> packed(Context ctx, FileId id, long ts, boolean local, boolean slotDeleted) {
    Path metadata = packedMetadata(id);
    if (inlinePacked && metadata == null && !Context.isOnEventLoopThread()) {
      // the committer's thread (see inlinePacked); never an event loop, where the mark's future
      // may have completed before the caller composed on it
      Request r = Request.packed(id, null, ts, local, slotDeleted, promise(ctx));
      runRound(List.of(r), inlineRounds);
      return r.done().future();
    }
    if (!inlinePacked && PackedStore.onCommitterThread()) {
      // the committer's thread, which runs the round after its batch (committerBatchEnded)
      Request r = Request.packed(id, metadata, ts, local, slotDeleted, promise(ctx));
      queue.add(r);
      HELD.set(Boolean.TRUE);
      return r.done().future();
    }
    return submit(Request.packed(id, metadata, ts, local, slotDeleted, promise(ctx)));
  }

  /**
   * Whether a client's delete of a packed slot may be marked and recorded on the calling event loop
   * ({@link #packedOnLoop}): fsync off, no {@code -m} file to look for, and the round would only
   * append to the tombstone file and the binlog in the page cache ({@link
   * FileChanges#deleteRoundStaysInPageCache}).
   */
  boolean mayRecordOnLoop(FileId id) {
    if (!inlinePacked || !Context.isOnEventLoopThread()) {
      return false;
    }
    PackedBlobEngine engine = files.packedEngine();
    return engine != null && !engine.mayHaveMetadata(id) && changes.deleteRoundStaysInPageCache();
  }

  /**
   * The rest of a packed delete whose mark the calling event loop wrote itself ({@code
   * PackedStore.markDeletedNow}, fsync off, {@link #mayRecordOnLoop}): its round — a tombstone and
   * a binlog line appended in the page cache, nothing forced — runs here and now, so the delete is
   * answered by the loop that read it, no thread woken (issue 9, w1del: the committer's wake-up and
   * the loop's were the two hand-offs of a c=1 delete without fsync). What it records and in which
   * order is the round's as on any thread (tombstone, then line, then answer).
   */
  Future<Void> packedOnLoop(Context ctx, FileId id, boolean local) {
    Request r = Request.packed(id, null, StoredFiles.now(), local, true, promise(ctx));
    runRound(List.of(r), loopRounds);
    return r.done().future();
  }

  /**
   * The round of a client's packed delete whose mark the calling event loop wrote itself with fsync
   * on ({@code PackedStore.markDeletedNow}, {@code PackedBlobEngine.marksOnLoopWithFsync}): queued
   * for the disk pool's next round, as any round of many — tombstone, line, one binlog force for
   * the round, then the answer on {@code ctx}. The caller holds the slot's lock.
   */
  Future<Void> packedMarkedOnLoop(Context ctx, FileId id) {
    Path metadata = packedMetadata(id);
    markedOnLoop.increment();
    return submit(Request.packed(id, metadata, StoredFiles.now(), true, true, promise(ctx)));
  }

  /**
   * The {@code -m} file a packed slot's round looks for, or null: almost no packed slot has one, so
   * no look-up of a deep path unless one may ({@link PackedMetadataNote}).
   */
  private Path packedMetadata(FileId id) {
    PackedBlobEngine engine = files.packedEngine();
    return engine == null || engine.mayHaveMetadata(id)
        ? StoredFiles.metadataPath(files.pathOf(id))
        : null;
  }

  /**
   * On a packed committer's thread, after a batch was answered ({@code PackedStore.afterBatch}):
   * when that batch's answers queued deletes here (their marks written, {@link #packed}), their
   * round — tombstones, binlog lines, one binlog force — runs now on this thread, which then wakes
   * the event loops to answer: at c=1 a packed delete is two hand-offs (event loop → committer →
   * event loop), not three with a disk thread between (issue 9, del1's trace: the disk thread's
   * wake-up was in series with every delete). One round only, and only for deletes that come one at
   * a time: while {@code idle} (no upload, copy or other delete waits in the committer's queue, so
   * none waits behind this force), no round runs elsewhere and the last round held at most one
   * delete. Under concurrency (c=16: rounds of many) the disk pool drains as before, so the
   * committer marks the next deletes while a disk thread forces the round before (measured: a
   * committer that forced every round itself marked the next batch only after each force, and c=16
   * deletes lost a fifth of their rate). Either way one force per round: deletes that come while it
   * forces make up the next round. Ordering as before: each request's caller holds its slot's lock
   * until it is answered, and the round answers only once its lines are durable.
   */
  void committerBatchEnded(boolean idle) {
    if (HELD.get() == null) {
      return; // the batch queued no delete here (appends, copies): nothing to do
    }
    HELD.remove();
    if (running.compareAndSet(false, true)) {
      List<Request> batch = new ArrayList<>();
      for (Request r; (r = queue.poll()) != null; ) {
        batch.add(r);
      }
      boolean forces = round.forces(batch);
      if (!batch.isEmpty() && (!forces || idle && lastRoundSize <= 1)) {
        // a lone client delete (del1), or a peer's deletes only: their round forces nothing here
        // (forceApplied does, once per poll), two small appends, so no disk thread is woken
        try {
          runRound(batch, committerRounds);
        } finally {
          running.set(false);
        }
      } else if (!batch.isEmpty()) {
        // rounds of many client deletes force on the disk pool while this thread marks the next
        disk.executeBlocking(
            () -> {
              runRound(batch, rounds);
              return drain();
            },
            false);
        return;
      } else {
        running.set(false);
      }
    }
    // what is left (queued meanwhile, or the committer was not idle): the disk pool, as submit
    if (!queue.isEmpty() && running.compareAndSet(false, true)) {
      disk.executeBlocking(this::drain, false);
    }
  }

  /** {@code r} queued for the disk pool's next round, which this call starts when none runs. */
  private Future<Void> submit(Request r) {
    queue.add(r);
    if (running.compareAndSet(false, true)) {
      disk.executeBlocking(this::drain, false);
    }
    return r.done().future();
  }

  /** The promise of a delete's answer, completed on {@code ctx} (the caller's context). */
  private static Promise<Void> promise(Context ctx) {
    return ((ContextInternal) ctx).promise();
  }

  /** Rounds until the queue is empty; only one runs at a time. */
  private Void drain() {
    while (true) {
      List<Request> batch = new ArrayList<>();
      for (Request r; (r = queue.poll()) != null; ) {
        batch.add(r);
      }
      if (batch.isEmpty()) {
        running.set(false);
        // a delete queued after the poll and before the flag fell: take it (or leave it to the
        // drain its caller started)
        if (queue.isEmpty() || !running.compareAndSet(false, true)) {
          return null;
        }
        continue;
      }
      runRound(batch, rounds);
    }
  }

  /**
   * One round of {@code batch} on the calling thread ({@link DeleteRound#run}), {@code countedIn}
   * counting where it ran; first notes how many client deletes it holds, for the next choice of
   * thread ({@link #lastRoundSize}).
   */
  private void runRound(List<Request> batch, LongAdder countedIn) {
    int local = 0;
    for (Request r : batch) {
      local += r.local() ? 1 : 0;
    }
    if (local > 0) {
      // client deletes in this round: more than one says they come concurrently (a peer's
      // deletes come in batches by nature and say nothing about the clients)
      lastRoundSize = local;
    }
    round.run(batch, countedIn);
  }
}
