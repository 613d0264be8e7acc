package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.packed.PackedStore;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one durable round of deletes does, on whichever thread {@link DeleteCommitter} runs it: each
 * plain file moved into its store path's {@link Trash} (unlinked at once on a store path without
 * room), the {@code -m} files removed, every directory a removed file leaves forced once, the
 * tombstones of all of them written and their binlog lines written as one and forced once ({@link
 * FileChanges#buryAndRecordAll}), then the answers; the trash's directory forces and unlinks, and a
 * due tombstone checkpoint, run behind them. An answered delete survives a crash: its line is
 * forced ({@link TombstoneStore} replays lines into tombstones).
 *
 * <p>Apart from {@link DeleteCommitter}, which only chooses the thread: a round runs on the disk
 * pool, on a packed committer's thread after its batch, inline on the thread that marked a packed
 * slot, or on the event loop that read the delete, and those places were added one by one (issue 9,
 * w1del, w1del26) while what a round records, and in which order, stayed the same. Written once
 * here, a new place to run a round cannot change either, and each of the two reads without the
 * other's rules. Callers hold each file's lock until their delete is answered ({@link
 * StoredFiles#withLock}), so a round's tombstones and lines are written under those locks as a
 * single delete's are.
 */
final class DeleteRound {
  /**
   * One delete: {@code file} a plain file the round moves into the trash (null for a packed slot,
   * which the volume's committer marked already); {@code removed} says whether the mark found the
   * slot there (a plain file's round finds out itself); {@code local} for a delete asked of this
   * storage (ENOENT when nothing is here; line {@code D}), else a peer's (line {@code d} when
   * something was removed, a tombstone either way).
   */
  record Request(
      Path file,
      Path metadata,
      String name,
      long ts,
      boolean local,
      boolean removed,
      int storePathIndex,
      Promise<Void> done) {
    /**
     * The delete of the plain file of {@code id} at {@code path} (the round finds out if it is).
     */
    static Request plain(FileId id, Path path, long ts, boolean local, Promise<Void> done) {
      return new Request(
          path,
          StoredFiles.metadataPath(path),
          id.remoteName(),
          ts,
          local,
          false,
          id.storePathIndex(),
          done);
    }

    /**
     * The rest of a packed slot's delete: {@code metadata} its {@code -m} file to look for (null:
     * none may exist), {@code removed} whether its mark found the slot.
     */
    static Request packed(
        FileId id, Path metadata, long ts, boolean local, boolean removed, Promise<Void> done) {
      return new Request(
          null, metadata, id.remoteName(), ts, local, removed, id.storePathIndex(), done);
    }
  }

  private final WorkerExecutor disk;
  private final FileChanges changes;
  private final StoredFiles files;
  private final Trash trash;

  /**
   * A round of a peer's packed deletes only leaves its lines to {@link FileChanges#forceApplied}
   * (the catch-up's, once per poll) instead of forcing them itself. Off: every round forces, as
   * before (tests).
   */
  volatile boolean deferAppliedForce = true;

  /** Rounds that left their lines unforced ({@link #deferAppliedForce}; tests). */
  final LongAdder unforcedRounds = new LongAdder();

  /** {@code disk}: where a due tombstone checkpoint runs when the round's thread must not. */
  DeleteRound(WorkerExecutor disk, FileChanges changes, StoredFiles files) {
    this.disk = disk;
    this.changes = changes;
    this.files = files;
    this.trash = files.trash();
  }

  /**
   * Whether a round of {@code batch} forces the binlog before its answers: any client delete or
   * plain file in it does; a round of a peer's packed deletes only does not, when {@link
   * #deferAppliedForce} (see {@link FileChanges#buryAndRecordAll(List, boolean)}).
   */
  boolean forces(List<Request> batch) {
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
   * One round of {@code batch}, on the calling thread; {@code countedIn} counts it once its lines
   * are recorded, before its answers. A request that fails alone is failed alone; when the round's
   * forces or lines fail, every request left in it is.
   */
  void run(List<Request> batch, LongAdder countedIn) {
    trash.roundBegins(); // the binlog is not trimmed past these lines before their directories are
    try {
      runInner(batch, countedIn);
    } finally {
      trash.roundEnded();
    }
  }

  private void runInner(List<Request> batch, LongAdder countedIn) {
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
          boolean now = !files.paths().hasRoomFor(sp, 0) || trash.backlogged();
          if (now) {
            // a full store path: its space back before the answer (SpaceOnDeleteTest); a trash
            // far behind (a machine kept busy): no more files for it to hold (TrashNiceTest)
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
    if (PackedStore.onCommitterThread() || Context.isOnEventLoopThread()) {
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
