package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The invariants every change to a stored file keeps, in one place for {@link StoredFiles}, {@link
 * AppenderFiles} and {@link PeerChanges}: a file is linked into place (never over an existing name,
 * never partial), metadata is replaced atomically, the binlog line is written (under the file's
 * lock) before the caller hears of the change, and a delete leaves a tombstone that keeps it
 * deleted against late copies from peers. All blocking: callers run them on a disk thread.
 */
final class FileChanges {
  private final boolean fsync;
  private final AtomicLong tempCounter = new AtomicLong();
  private final Forces forces = new Forces();
  private final DirectorySync directorySync = new DirectorySync(forces.directories);

  private volatile Binlog binlog;

  /**
   * Names deleted here lately, with the time of the delete (bounded, in memory). A copy of such a
   * file that arrives from a peer afterwards is stale: for example an upload its source refused and
   * removed after a stalled peer had received it whole, which that peer places once it runs again;
   * its binlog would then carry the file back to the source. See {@link #deletedSince}.
   */
  private final Map<String, Long> tombstones =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<String, Long>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
              return size() > TOMBSTONES;
            }
          });

  static final int TOMBSTONES = 16384;

  /**
   * The persisted tombstones (see {@link TombstoneStore}); the bounded map above only without one.
   */
  private volatile TombstoneStore tombstoneStore;

  FileChanges(boolean fsync) {
    this.fsync = fsync;
  }

  void binlog(Binlog log) {
    this.binlog = log;
    if (log != null) {
      log.countForces(forces.binlog);
    }
  }

  /** The forces these files ran so far. */
  Forces forces() {
    return forces;
  }

  Binlog binlog() {
    return binlog;
  }

  void tombstones(TombstoneStore store) {
    this.tombstoneStore = store;
    if (store != null) {
      store.countForces(forces.tombstones);
    }
  }

  TombstoneStore tombstones() {
    return tombstoneStore;
  }

  /** Blocking: records a change for peers; failures are logged, the change itself stands. */
  boolean record(long ts, char op, String name, String second) {
    Binlog log = binlog;
    if (log == null) {
      return false;
    }
    try {
      log.append(ts, op, name, second, fsync); // durable before the client hears of the change
      return true;
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(StoredFiles.class)
          .error("binlog append failed: {}", e.toString());
      return false;
    }
  }

  /**
   * Blocking, under the file's lock: a delete's tombstone, then its binlog line. The binlog's force
   * makes both durable (TombstoneStore replays the binlog's deletes after a crash), so the
   * tombstone is not forced on its own unless the binlog line could not be written.
   */
  void buryAndRecord(long ts, char op, String remoteName) throws IOException {
    TombstoneStore store = tombstoneStore;
    if (store == null) {
      tombstones.put(remoteName, ts);
      record(ts, op, remoteName, null);
      return;
    }
    store.bury(remoteName, ts, binlog != null);
    if (!record(ts, op, remoteName, null)) {
      store.sync();
    }
  }

  /**
   * One delete of a batch: its tombstone always, its binlog line ({@code op}, {@code D} or {@code
   * d}) when {@code logged} (a peer's delete of a file not here leaves a tombstone only).
   */
  record Buried(String name, long ts, char op, boolean logged) {}

  /**
   * Blocking, under the locks of every file named: the tombstones and binlog lines of a batch of
   * deletes ({@link DeleteRound}), durable when it returns with one force of the binlog for
   * all of them (the tombstones ride on it, as in {@link #buryAndRecord}); the tombstone file is
   * forced once only when some delete has no line, or the lines could not be written.
   */
  void buryAndRecordAll(List<Buried> deletes) throws IOException {
    buryAndRecordAll(deletes, true);
  }

  /**
   * As {@link #buryAndRecordAll(List)}; with {@code force} false (a round of a peer's deletes
   * only, applied by the catch-up) the binlog lines are written but not forced here: {@link
   * #forceApplied} forces them before the catch-up moves on or saves its mark, so that one force
   * covers a whole poll's deletes, and any forced round in between covers them too (issue 9, gdel:
   * a c=1 group's peer forced 3-7 rounds per 100 ms poll, each queued before the client's next
   * delete). Nothing acknowledged waits for these lines: a crash before their force only makes the
   * catch-up apply them again from its older mark (every change applies idempotently), and kill -9
   * keeps them (page cache).
   */
  void buryAndRecordAll(List<Buried> deletes, boolean force) throws IOException {
    TombstoneStore store = tombstoneStore;
    Binlog log = binlog;
    boolean syncTombstones = false;
    List<String> lines = new java.util.ArrayList<>(deletes.size());
    List<TombstoneStore.Entry> graves = new java.util.ArrayList<>(deletes.size());
    for (Buried d : deletes) {
      if (store == null) {
        tombstones.put(d.name(), d.ts());
      } else {
        graves.add(new TombstoneStore.Entry(d.name(), d.ts(), d.logged() && log != null));
      }
      if (d.logged()) {
        lines.add(Binlog.line(d.ts(), d.op(), d.name()));
      }
    }
    if (store != null) {
      // one write for the round's tombstones; a checkpoint due waits until they are answered
      syncTombstones = store.appendAll(graves, true);
    }
    if (log != null && !lines.isEmpty()) {
      try {
        log.appendUnsynced(lines); // after the tombstones: a checkpoint never covers a line early
        if (fsync && force) {
          appliedUnforced = false; // before the force: lines appended until it begins are covered
          log.forceShared(); // durable before any of these deletes is answered
        } else if (fsync) {
          appliedUnforced = true; // after the append: forceApplied never misses these lines
        }
      } catch (IOException e) {
        org.slf4j.LoggerFactory.getLogger(StoredFiles.class)
            .error("binlog append of {} deletes failed: {}", lines.size(), e.toString());
        syncTombstones = true; // the changes stand: their tombstones must hold on their own
      }
    }
    if (syncTombstones && store != null) {
      store.sync();
    }
  }

  /** Lines of a peer's deletes written since the last binlog force ({@link #forceApplied}). */
  private volatile boolean appliedUnforced;

  /** Whether a round of a peer's deletes left its binlog lines unforced ({@link #forceApplied}). */
  boolean appliedUnforced() {
    return appliedUnforced;
  }

  /**
   * Blocking: forces the binlog when a round of a peer's deletes wrote lines without a force since
   * the last one ({@link #buryAndRecordAll(List, boolean)}); nothing when none did. The catch-up
   * calls it after each poll's changes are applied and before it saves a mark, so a mark never
   * covers an applied delete whose line a power cut could take.
   */
  void forceApplied() throws IOException {
    Binlog log = binlog;
    if (!fsync || log == null || !appliedUnforced) {
      return;
    }
    appliedUnforced = false;
    try {
      log.forceShared();
    } catch (IOException | RuntimeException e) {
      appliedUnforced = true;
      throw e;
    }
  }

  /**
   * Whether a round of one delete ({@link #buryAndRecordAll}) would now only write to the page
   * cache, without fsync: a tombstone and a binlog line appended, neither file rotated nor
   * compacted (both force and rename). Racy by design: a concurrent round may still tip either
   * over, which happens at most once per binlog segment or tombstone compaction.
   */
  boolean deleteRoundStaysInPageCache() {
    TombstoneStore store = tombstoneStore;
    Binlog log = binlog;
    return !fsync
        && store != null
        && log != null
        && !store.appendMayCompact(1)
        && !log.appendWouldRotate(256);
  }

  /** Whether {@link #checkpointTombstonesIfDue} has a checkpoint (a force) to take. */
  boolean tombstoneCheckpointDue() {
    TombstoneStore store = tombstoneStore;
    return store != null && store.checkpointDue();
  }

  /**
   * Blocking, after a round of {@link #buryAndRecordAll} was answered: the tombstones' checkpoint
   * that fell due in it, off the deletes' path.
   */
  void checkpointTombstonesIfDue() throws IOException {
    TombstoneStore store = tombstoneStore;
    if (store != null) {
      store.checkpointIfDue();
    }
  }

  /**
   * Blocking, under the file's lock: remembers that {@code remoteName} was deleted at {@code ts}.
   */
  void bury(String remoteName, long ts) throws IOException {
    TombstoneStore store = tombstoneStore;
    if (store != null) {
      store.bury(remoteName, ts);
    } else {
      tombstones.put(remoteName, ts);
    }
  }

  /**
   * Blocking, under the file's lock: whether a peer's copy of {@code id} (created or updated at
   * {@code mtimeSeconds}) predates a delete of it here. A generated name is never created twice, so
   * any copy of it is stale: a normal name (44 characters: creation time, random bits, CRC32) and a
   * packed file's trunk name (60 characters: the same, plus the slot's place in its volume). Only a
   * derived name (a slave file) may be uploaded again after a delete, so only an older copy of it
   * is. Comparing times for a trunk name let a copy made in the second of its delete (or on a member
   * whose clock runs ahead) come back after the delete, for good (issue 9: NemesisIT).
   */
  boolean deletedSince(FileId id, long mtimeSeconds) {
    TombstoneStore store = tombstoneStore;
    Long deleted =
        store != null ? store.deletedAt(id.remoteName()) : tombstones.get(id.remoteName());
    return deleted != null && (generatedName(id.remoteName()) || mtimeSeconds < deleted);
  }

  /** A name the storage generated (never given twice), not one derived from a master's. */
  static boolean generatedName(String remoteName) {
    int len = remoteName.length();
    return len == FileName.NORMAL_NAME_LEN
        || (len == FileName.TRUNK_NAME_LEN && FileName.decode(remoteName).trunk());
  }

  /**
   * True when {@code remoteName} was deleted here at or after {@code ts}: a peer's delete line of
   * that time is applied already (the file is gone; a later re-upload of a derived name is newer
   * than that line and must stay).
   */
  boolean deletedAtOrAfter(String remoteName, long ts) {
    TombstoneStore store = tombstoneStore;
    Long deleted = store != null ? store.deletedAt(remoteName) : tombstones.get(remoteName);
    return deleted != null && deleted >= ts;
  }

  /** Up to {@code limit} recent deletes after {@code after} in name order: name and time. */
  List<Map.Entry<String, Long>> tombstonesAfter(String after, int limit) {
    TombstoneStore store = tombstoneStore;
    if (store != null) {
      return store.after(after, limit);
    }
    synchronized (tombstones) {
      return tombstones.entrySet().stream()
          .filter(e -> e.getKey().compareTo(after) > 0)
          .sorted(Map.Entry.comparingByKey())
          .limit(limit)
          .map(e -> Map.entry(e.getKey(), e.getValue()))
          .toList();
    }
  }

  /** Hard link then unlink: atomic, and unlike rename it refuses to replace an existing name. */
  boolean link(Path temp, Path target, long mtimeSeconds) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (NoSuchFileException e) {
      Files.createDirectories(target.getParent()); // a directory removed by hand: recreate it
      Files.createLink(target, temp);
    }
    Files.setLastModifiedTime(target, FileTime.fromMillis(mtimeSeconds * 1000));
    forceDirectory(target.getParent());
    return true;
  }

  void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp =
        target.resolveSibling(target.getFileName() + ".tmp" + tempCounter.incrementAndGet());
    try (FileChannel ch =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(content));
      if (fsync) {
        ch.force(false);
        forces.data.increment();
      }
    }
    try {
      Files.move(
          temp,
          target,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    forceDirectory(target.getParent());
  }

  /** A number for a temp file name, unique in this process. */
  long nextTemp() {
    return tempCounter.incrementAndGet();
  }

  /** Blocking: makes a change to {@code dir}'s entries durable (when fsync is on). */
  void forceDirectory(Path dir) throws IOException {
    if (fsync) {
      directorySync.force(dir);
    }
  }
}
