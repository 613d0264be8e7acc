package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit for deletes (issue 9): the deletes that arrive together share one durable round —
 * every directory a removed file leaves forced once, the tombstones of all of them written, their
 * binlog lines written as one and forced once — where each delete used to take a disk thread for
 * its own round (a directory force, then a binlog force, each group-committed only with the few
 * other deletes that happened to hold a disk thread at that moment).
 *
 * <p>One round runs at a time, on a thread of the disk pool: while it forces, new deletes queue,
 * and the next round takes them all. Without fsync a packed delete's round, which then forces
 * nothing, runs on the packed committer's thread instead ({@link #inlinePacked}). Callers hold each
 * file's lock until their delete is answered ({@link StoredFiles#withLock}), so a round's
 * tombstones and lines are written under those locks as a single delete's are, and no delete is
 * answered before its round is durable: an answered delete survives a crash (its line is forced;
 * {@link TombstoneStore} replays lines into tombstones). A packed slot comes here after its
 * volume's committer made its {@code D} mark durable (in a batch of its own, one force per volume),
 * so a packed delete costs a share of one volume force and of one binlog force. A plain file is
 * moved into its store path's {@link Trash} in the round ({@link StoredFiles#commitPlainDelete});
 * its directory force and unlink (freeing a large file's blocks waits for the disk) run behind the
 * answer, so rounds never wait for them.
 */
final class DeleteCommitter {
  /**
   * One delete: {@code file} a plain file the round moves into the trash (null for a packed slot,
   * which the volume's committer marked already); {@code removed} says whether the mark found the
   * slot there (a plain file's round finds out itself); {@code local} for a delete asked of this
   * storage (ENOENT when nothing is here; line {@code D}), else a peer's (line {@code d} when
   * something was removed, a tombstone either way).
   */
  private record Request(
      Path file,
      Path metadata,
      String name,
      long ts,
      boolean local,
      boolean removed,
      int storePathIndex,
      Promise<Void> done) {}

  private final WorkerExecutor disk;
  private final FileChanges changes;
  private final StoredFiles files;
  private final Trash trash;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();

  /**
   * Without fsync a packed delete's round forces nothing (no -m file to look for either, as a rule:
   * {@link PackedMetadataNote}): two appends to files in the page cache. It then runs on the packed
   * committer's thread that marked the slot, not on a disk thread woken for it — one thread hop
   * fewer per delete on every member (issue 9's group delete profile: the hops, not the writes,
   * were its disk and committer time).
   */
  private final boolean inlinePacked;

  /**
   * Rounds made durable so far on the disk pool (tests: deletes per round; see committerRounds).
   * Like every round counter here it counts before the round's answers, so a test that reads it
   * after its answer sees its round.
   */
  final LongAdder rounds = new LongAdder();

  DeleteCommitter(WorkerExecutor disk, FileChanges changes, StoredFiles files, boolean fsync) {
    this.disk = disk;
    this.changes = changes;
    this.files = files;
    this.trash = files.trash();
    this.inlinePacked = !fsync;
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
    return submit(
        ctx,
        path,
        StoredFiles.metadataPath(path),
        id.remoteName(),
        ts,
        local,
        false,
        id.storePathIndex());
  }

  /** Client deletes of plain files begun here and not yet answered ({@link #plain}). */
  private final java.util.concurrent.atomic.AtomicInteger plainInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Off: every plain delete takes the disk pool's round, as before (tests). */
  volatile boolean plainOnLoopAllowed = true;

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
    Promise<Void> done = ((ContextInternal) ctx).promise();
    round(
        List.of(
            new Request(
                path,
                StoredFiles.metadataPath(path),
                id.remoteName(),
                ts,
                true,
                false,
                id.storePathIndex(),
                done)),
        plainLoopRounds);
    return done.future();
  }

  /** Plain deletes' rounds run on an event loop ({@link #plainOnLoop}; tests). */
  final LongAdder plainLoopRounds = new LongAdder();

  /**
   * The rest of a packed slot's delete, once its {@code D} mark is durable ({@code slotDeleted}) or
   * a peer's delete found no slot here: its {@code -m} file, tombstone and line. The caller holds
   * the slot's lock.
   */
  Future<Void> packed(Context ctx, FileId id, long ts, boolean local, boolean slotDeleted) {
    // almost no packed slot has a -m file: no look-up of a deep path unless one may (see the note)
    PackedBlobEngine engine = files.packedEngine();
    Path metadata =
        engine == null || engine.mayHaveMetadata(id)
            ? StoredFiles.metadataPath(files.pathOf(id))
            : null;
    if (inlinePacked && metadata == null && !Context.isOnEventLoopThread()) {
      // the committer's thread (see inlinePacked); never an event loop, where the mark's future
      // may have completed before the caller composed on it
      Promise<Void> done = ((ContextInternal) ctx).promise();
      round(
          List.of(
              new Request(
                  null, null, id.remoteName(), ts, local, slotDeleted, id.storePathIndex(), done)),
          inlineRounds);
      return done.future();
    }
    if (!inlinePacked && io.dfstree.storage.packed.PackedStore.onCommitterThread()) {
      // the committer's thread, which runs the round after its batch (committerBatchEnded)
      Promise<Void> done = ((ContextInternal) ctx).promise();
      queue.add(
          new Request(
              null, metadata, id.remoteName(), ts, local, slotDeleted, id.storePathIndex(), done));
      HELD.set(Boolean.TRUE);
      return done.future();
    }
    return submit(
        ctx, null, metadata, id.remoteName(), ts, local, slotDeleted, id.storePathIndex());
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
    Promise<Void> done = ((ContextInternal) ctx).promise();
    String name = id.remoteName();
    round(
        List.of(new Request(null, null, name, now(), local, true, id.storePathIndex(), done)),
        loopRounds);
    return done.future();
  }

  /**
   * The round of a client's packed delete whose mark the calling event loop wrote itself with fsync
   * on ({@code PackedStore.markDeletedNow}, {@code PackedBlobEngine.marksOnLoopWithFsync}): queued
   * for the disk pool's next round, as any round of many — tombstone, line, one binlog force for
   * the round, then the answer on {@code ctx}. The caller holds the slot's lock.
   */
  Future<Void> packedMarkedOnLoop(Context ctx, FileId id) {
    PackedBlobEngine engine = files.packedEngine();
    Path metadata =
        engine == null || engine.mayHaveMetadata(id)
            ? StoredFiles.metadataPath(files.pathOf(id))
            : null;
    markedOnLoop.increment();
    return submit(ctx, null, metadata, id.remoteName(), now(), true, true, id.storePathIndex());
  }

  /** Deletes whose marks an event loop wrote with fsync on ({@link #packedMarkedOnLoop}; tests). */
  final LongAdder markedOnLoop = new LongAdder();

  private static long now() {
    return StoredFiles.now();
  }

  /** Rounds run on an event loop ({@link #packedOnLoop}; tests). */
  final LongAdder loopRounds = new LongAdder();

  /** Set on a packed committer's thread that queued a delete and owes it a round or a drain. */
  private static final ThreadLocal<Boolean> HELD = new ThreadLocal<>();

  /**
   * Deletes in the last round (any thread): more than one says deletes come concurrently, and the
   * next round goes to the disk pool ({@link #committerBatchEnded}).
   */
  private volatile int lastRoundSize;

  /** Rounds run on a packed committer's thread after its batch (tests: no disk thread woken). */
  final LongAdder committerRounds = new LongAdder();

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
      boolean forces = forces(batch);
      if (!batch.isEmpty() && (!forces || idle && lastRoundSize <= 1)) {
        // a lone client delete (del1), or a peer's deletes only: their round forces nothing here
        // (forceApplied does, once per poll), two small appends, so no disk thread is woken
        try {
          round(batch, committerRounds);
        } finally {
          running.set(false);
        }
      } else if (!batch.isEmpty()) {
        // rounds of many client deletes force on the disk pool while this thread marks the next
        disk.executeBlocking(
            () -> {
              round(batch, rounds);
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

  /** Rounds run on the caller's thread ({@link #inlinePacked}; tests). */
  final LongAdder inlineRounds = new LongAdder();

  private Future<Void> submit(
      Context ctx,
      Path file,
      Path metadata,
      String name,
      long ts,
      boolean local,
      boolean removed,
      int storePathIndex) {
    Promise<Void> done = ((ContextInternal) ctx).promise();
    queue.add(new Request(file, metadata, name, ts, local, removed, storePathIndex, done));
    if (running.compareAndSet(false, true)) {
      disk.executeBlocking(this::drain, false);
    }
    return done.future();
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
      round(batch, rounds);
    }
  }

  /**
   * Whether a round of {@code batch} forces the binlog before its answers: any client delete or
   * plain file in it does; a round of a peer's packed deletes only does not, when {@link
   * #deferAppliedForce} (see {@link FileChanges#buryAndRecordAll(List, boolean)}).
   */
  private boolean forces(List<Request> batch) {
    if (!deferAppliedForce) {
      return true;
    }
    for (Request r : batch) {
      if (r.local || r.file != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * A round of a peer's packed deletes only leaves its lines to {@link FileChanges#forceApplied}
   * (the catch-up's, once per poll) instead of forcing them itself. Off: every round forces, as
   * before (tests).
   */
  volatile boolean deferAppliedForce = true;

  /** Rounds that left their lines unforced ({@link #deferAppliedForce}; tests). */
  final LongAdder unforcedRounds = new LongAdder();

  /**
   * Removes {@code -m} files, forces each directory once, tombstones and lines with one binlog
   * force, answers; false when the round failed as a whole.
   */
  /**
   * One round of {@code batch}; {@code countedIn} counts it once its lines are recorded, before its
   * answers.
   */
  private void round(List<Request> batch, LongAdder countedIn) {
    int local = 0;
    for (Request r : batch) {
      local += r.local ? 1 : 0;
    }
    if (local > 0) {
      // client deletes in this round: more than one says they come concurrently (a peer's
      // deletes come in batches by nature and say nothing about the clients)
      lastRoundSize = local;
    }
    trash.roundBegins(); // the binlog is not trimmed past these lines before their directories are
    try {
      roundInner(batch, countedIn);
    } finally {
      trash.roundEnded();
    }
  }

  private void roundInner(List<Request> batch, LongAdder countedIn) {
    List<Request> kept = new ArrayList<>(batch.size());
    List<FileChanges.Buried> buried = new ArrayList<>(batch.size());
    List<Trash.Item> later = new ArrayList<>();
    Set<Path> dirs = new LinkedHashSet<>();
    Set<Integer> freed = new TreeSet<>();
    for (Request r : batch) {
      try {
        boolean removed = r.removed;
        if (r.file != null) {
          StorePath sp = files.paths().get(r.storePathIndex);
          Path trashed = null;
          boolean now = !files.paths().hasRoomFor(sp, 0);
          if (now) {
            // a full store path: its space back before the answer (SpaceOnDeleteTest)
            removed = Files.deleteIfExists(r.file);
          } else {
            trashed = trash.moveIn(sp, r.file);
            removed = trashed != null;
          }
          if (!removed && r.local) {
            r.done.tryFail(FdfsException.notFound("file does not exist"));
            continue;
          }
          removed |= deleteMetadataIfExists(r.metadata);
          if (removed && now) {
            freed.add(r.storePathIndex);
            dirs.add(r.file.getParent());
          } else if (removed) {
            later.add(new Trash.Item(trashed, r.file.getParent(), r.storePathIndex));
          }
        } else {
          if (r.metadata != null && deleteMetadataIfExists(r.metadata)) {
            dirs.add(r.metadata.getParent());
          }
        }
        // a peer's delete of a file not here (yet) leaves a tombstone: a copy of it still on its
        // way must not stay; no line, or two members would log each other's delete for ever
        buried.add(
            new FileChanges.Buried(
                r.name,
                r.ts,
                r.local ? Binlog.DELETE : Character.toLowerCase(Binlog.DELETE),
                r.local || removed));
        kept.add(r);
      } catch (IOException | RuntimeException e) {
        r.done.tryFail(e);
      }
    }
    long logged;
    try {
      for (Path dir : dirs) {
        changes.forceDirectory(dir);
      }
      boolean force = forces(batch);
      if (!force) {
        unforcedRounds.increment();
      }
      changes.buryAndRecordAll(buried, force);
      Binlog log = changes.binlog();
      logged = log == null ? -1 : log.size();
    } catch (IOException | RuntimeException e) {
      for (Request r : kept) {
        r.done.tryFail(e);
      }
      // the files moved into the trash stay deleted (as an unlink left them before): emptied
      trash.later(later, -1);
      return;
    }
    for (int index : freed) {
      try {
        files.spaceAfterDelete(index);
      } catch (IOException | RuntimeException e) {
        // the heartbeat measures it again
      }
    }
    boolean onLoop = Context.isOnEventLoopThread();
    if (!onLoop) {
      trash.later(later, logged); // directory forces and unlinks on the trash thread
    }
    countedIn.increment();
    for (Request r : kept) {
      r.done.tryComplete();
    }
    if (onLoop) {
      trash.later(later, logged); // after the answers: a wake-up of the trash is not before them
    }
    if (io.dfstree.storage.packed.PackedStore.onCommitterThread()
        || Context.isOnEventLoopThread()) {
      // a due checkpoint forces the tombstone file: on a disk thread, not on the packed committer,
      // where uploads and the next marks would wait for it, nor on an event loop (packedOnLoop;
      // after the answers and the binlog force either way, as checkpointIfDue asks)
      if (changes.tombstoneCheckpointDue()) {
        disk.executeBlocking(
            () -> {
              checkpointTombstones();
              return null;
            },
            false);
      }
    } else {
      checkpointTombstones();
    }
  }

  /**
   * Removes a deleted file's {@code -m} file when it has one. Most files have none, and {@code
   * Files.deleteIfExists} finds that out by an {@code lstat} whose ENOENT the JDK's native code
   * turns into an exception object (a JNI class look-up that walks the caller's stack): ~10-15 us
   * of a disk thread per plain delete and member (w1del26). A {@code stat} that answers a boolean
   * says it first; the caller holds the file's lock, under which every change to its {@code -m}
   * file is made, so the answer holds until the unlink.
   */
  static boolean deleteMetadataIfExists(Path metadata) throws IOException {
    if (metadata == null || !metadata.toFile().exists()) {
      return false;
    }
    return Files.deleteIfExists(metadata);
  }

  private void checkpointTombstones() {
    try {
      changes.checkpointTombstonesIfDue(); // after the answers: it bounds a start's replay only
    } catch (IOException | RuntimeException e) {
      // the binlog lines hold these deletes; the next due checkpoint tries again
    }
  }
}
