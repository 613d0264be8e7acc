package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The file operations of a storage, on real files: new uploads land in the temp directory and are
 * linked into place under their generated FastDFS name only when complete (so no partial file is
 * ever visible and an existing name is never overwritten); deletes run under a per-file lock. Every
 * disk call runs on a worker thread.
 *
 * <p>Its rooms: {@link FileChanges} keeps the invariants every change shares (link into place, the
 * binlog line under the lock, the tombstone of a delete); {@link AppenderFiles} the appender
 * operations, {@link MetadataFiles} the {@code -m} files, {@link PeerChanges} what peers send us,
 * {@link PlacingNames} the names being placed right now, {@link FileLookups} what is answered
 * without a change (stat, exists, present, a whole file's CRC32). This class holds the rest: names,
 * new uploads, delete and the packed engine's hooks; they share the store paths, the file locks and
 * the disk pool that every room above is handed from here.
 */
final class StoredFiles {
  private final WorkerExecutor disk;
  private final StorePaths paths;
  private final FileLocks locks = new FileLocks();
  private final int storageId;
  private final String group;
  private final boolean fsync;
  private final FileChanges changes;
  private final FileLookups lookups;
  final LocalMetadataChanges localMetadata = new LocalMetadataChanges();
  private final AppenderFiles appenders;
  private final PeerChanges fromPeers;
  private final MetadataFiles metadata;
  private final PlacingNames placing = new PlacingNames();
  private final Trash trash;
  private final RecycledFiles recycled;
  private final DeleteCommitter deletes;

  /**
   * The packed engine, when on: trunk names are its, their binlog, tombstones and -m files ours.
   */
  private volatile PackedBlobEngine packed;

  void packed(PackedBlobEngine engine) {
    this.packed = engine;
  }

  PackedBlobEngine packedEngine() {
    return packed;
  }

  boolean isPacked(FileId id) {
    PackedBlobEngine p = packed;
    return p != null && p.owns(id);
  }

  /**
   * After a packed slot is durable (its binlog line, {@code C} or {@code c}, was written by the
   * volume's committer): the space it took; the name.
   */
  Future<String> afterPackedCreate(
      Context ctx, int pathIndex, String remoteName, long size, long ts, boolean copy) {
    paths.get(pathIndex).consumed(size);
    return Future.succeededFuture(remoteName);
  }

  /**
   * The rest of a packed slot's delete once its {@code D} mark is durable (or a peer's delete found
   * no slot here, {@code slotDeleted} false): -m file, tombstone, binlog line, in a round shared
   * with the deletes that arrive with it ({@link DeleteCommitter}).
   */
  Future<Void> afterPackedDelete(Context ctx, FileId id, boolean local, boolean slotDeleted) {
    return deletes.packed(ctx, id, now(), local, slotDeleted);
  }

  /**
   * Files known to match their name ({@link Integrity#knownGood}, set by the node): uploads are
   * added, deletes dropped. Off until then.
   */
  KnownGoodFiles knownGood = new KnownGoodFiles(0);

  StoredFiles(WorkerExecutor disk, StorePaths paths, int storageId, String group, boolean fsync) {
    this.disk = disk;
    this.paths = paths;
    this.lookups = new FileLookups(this, disk);
    this.storageId = storageId;
    this.group = group;
    this.fsync = fsync;
    this.changes = new FileChanges(fsync);
    this.appenders = new AppenderFiles(this, changes, disk, locks, fsync);
    this.fromPeers = new PeerChanges(this, changes, disk, locks);
    this.metadata = new MetadataFiles(this, changes, disk);
    this.trash = new Trash(paths, changes, fsync);
    this.recycled = new RecycledFiles(paths, fsync);
    this.trash.recycled = recycled;
    this.trash.afterUnlinks =
        index -> {
          try {
            spaceAfterDelete(index);
          } catch (IOException | RuntimeException e) {
            // the heartbeat measures it again
          }
        };
    this.deletes = new DeleteCommitter(disk, changes, this, fsync);
  }

  /** Stat, exists, present, a whole file's CRC32: what is answered without a change. */
  FileLookups lookups() {
    return lookups;
  }

  /** The invariants of every change, and the binlog and tombstones behind them. */
  FileChanges changes() {
    return changes;
  }

  /** Deleted plain files kept for uploads to write into ({@link RecycledFiles}). */
  RecycledFiles recycled() {
    return recycled;
  }

  /** Where deleted plain files wait for their unlink ({@link Trash}). */
  Trash trash() {
    return trash;
  }

  /**
   * Blocking, at start, after the binlog and the tombstones are open: removes again the plain files
   * a crash brought back after their delete was answered, and empties the trash ({@link
   * Trash#redo}); the number removed again.
   */
  int redoDeletes() throws IOException {
    return trash.redo(
        this, changes.binlog(), paths.all().get(0).data.resolve("sync").resolve(Trash.MARK));
  }

  /** The deletes' group commit (see {@link DeleteCommitter}). */
  DeleteCommitter deletes() {
    return deletes;
  }

  /** Append, modify, truncate and seal appender files. */
  AppenderFiles appenders() {
    return appenders;
  }

  /** The changes taken from peers. */
  PeerChanges fromPeers() {
    return fromPeers;
  }

  /** The {@code -m} files. */
  MetadataFiles metadata() {
    return metadata;
  }

  /** See {@link PlacingNames#after}. */
  Future<Void> afterPlacing(Context ctx, String remoteName) {
    return placing.after(ctx, remoteName);
  }

  /** See {@link PlacingNames#mark}. */
  void placing(String remoteName, boolean inProgress) {
    placing.mark(remoteName, inProgress);
  }

  int storageId() {
    return storageId;
  }

  void binlog(Binlog log) {
    changes.binlog(log);
  }

  Binlog binlog() {
    return changes.binlog();
  }

  void tombstones(TombstoneStore store) {
    changes.tombstones(store);
  }

  TombstoneStore tombstones() {
    return changes.tombstones();
  }

  /** See {@link FileChanges#deletedAtOrAfter}. */
  boolean deletedAtOrAfter(String remoteName, long ts) {
    return changes.deletedAtOrAfter(remoteName, ts);
  }

  /** Whether a copy of {@code remoteName} is being placed here right now. */
  boolean isPlacing(String remoteName) {
    return placing.contains(remoteName);
  }

  /** See {@link FileChanges#deletedSince}. */
  boolean deletedSince(FileId id, long mtimeSeconds) {
    return changes.deletedSince(id, mtimeSeconds);
  }

  /** See {@link FileChanges#tombstonesAfter}. */
  List<Map.Entry<String, Long>> tombstonesAfter(String after, int limit) {
    return changes.tombstonesAfter(after, limit);
  }

  String group() {
    return group;
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  StorePaths paths() {
    return paths;
  }

  Path pathOf(FileId id) {
    return paths.get(id.storePathIndex()).file(id.high(), id.low(), id.baseName());
  }

  static Path metadataPath(Path file) {
    return file.resolveSibling(file.getFileName() + "-m");
  }

  /**
   * Checks a client-supplied id against this storage: our group, a store path we have, a valid dir.
   */
  FileId validate(String groupName, String remoteName) {
    FileId id = FileId.parseRemote(groupName, remoteName);
    if (!id.group().equals(group)) {
      throw FdfsException.invalid("group " + id.group() + " is not this storage's group " + group);
    }
    paths.get(id.storePathIndex());
    return id;
  }

  /** A temp file for a new upload in {@code p}; written by the returned stream. */
  FileWriteStream newUpload(StorePath p) {
    Path temp = p.tempFile("up-" + ProcessHandle.current().pid() + "-" + changes.nextTemp());
    return new FileWriteStream(disk, temp, 0, true, fsync)
        .reusing(t -> recycled.reuseAs(p, t))
        .countForces(changes.forces().data)
        .countWriteBehind(changes.forces().writtenBehind)
        .countWrittenDirect(changes.forces().writtenDirect);
  }

  /** The forces to disk these files ran so far (uploads, copies, deletes, ...). */
  Forces forces() {
    return changes.forces();
  }

  /** Places a finished upload under a freshly generated name; returns the remote name. */
  Future<String> placeNew(FileWriteStream upload, StorePath p, boolean appender, String ext) {
    return upload.finish(
        w -> {
          try {
            long now = System.currentTimeMillis() / 1000;
            for (int attempt = 0; attempt < 10; attempt++) {
              long sizeField = FileName.sizeField(w.bytes(), appender);
              String payload =
                  FileName.payload(storageId, (int) now, sizeField, appender ? 0 : w.crc32());
              int[] dir = paths.directoryFor(payload);
              String base = payload + FileName.extensionPart(ext);
              Path target = p.file(dir[0], dir[1], base);
              if (changes.link(w.path(), target, now)) {
                p.consumed(w.bytes());
                String remote = FileName.logicPath(p.index, dir[0], dir[1]) + base;
                if (!appender) {
                  knownGood.written(remote, target, w.bytes()); // named from the CRC32 of these bytes
                }
                changes.record(now, Binlog.CREATE, remote, null);
                return remote;
              }
            }
            throw new FdfsException(Errno.EBUSY, "could not generate a unique file name");
          } finally {
            FileWriteStream.deleteQuietly(w.path());
          }
        });
  }

  /**
   * A new file's name, chosen before its bytes are placed (the caller knows size and CRC32); the
   * caller must then {@link #placeAs} it, which ends its time in {@link #placing}.
   */
  String newName(StorePath p, long size, int crc32, boolean appender, String ext, long now) {
    String payload =
        FileName.payload(storageId, (int) now, FileName.sizeField(size, appender), crc32);
    int[] dir = paths.directoryFor(payload);
    String name =
        FileName.logicPath(p.index, dir[0], dir[1]) + payload + FileName.extensionPart(ext);
    placing(name, true);
    return name;
  }

  /** Places a finished upload under a name chosen by the caller ({@link #newName}). */
  Future<String> placeAs(
      FileWriteStream upload, StorePath p, String remoteName, long mtimeSeconds) {
    FileId id = FileId.parseRemote(group, remoteName);
    return upload
        .finish(
            w -> {
              try {
                Path target = p.file(id.high(), id.low(), id.baseName());
                if (!changes.link(w.path(), target, mtimeSeconds)) {
                  throw new FdfsException(
                      Errno.EEXIST, "generated name already taken: " + remoteName);
                }
                p.consumed(w.bytes());
                // named from the CRC32 the upload computed over exactly the bytes it wrote here
                knownGood.written(remoteName, target, w.bytes());
                changes.record(mtimeSeconds, Binlog.CREATE, remoteName, null);
                return remoteName;
              } finally {
                FileWriteStream.deleteQuietly(w.path());
              }
            })
        .andThen(ar -> placing(remoteName, false));
  }

  /** Places a finished slave upload under its derived name; EEXIST if that name is taken. */
  Future<String> placeSlave(FileWriteStream upload, FileId slave) {
    return upload.finish(
        w -> {
          try {
            long now = System.currentTimeMillis() / 1000;
            if (!changes.link(w.path(), pathOf(slave), now)) {
              throw new FdfsException(
                  Errno.EEXIST, "slave file already exists: " + slave.remoteName());
            }
            paths.get(slave.storePathIndex()).consumed(w.bytes());
            changes.record(now, Binlog.CREATE, slave.remoteName(), null);
            return slave.remoteName();
          } finally {
            FileWriteStream.deleteQuietly(w.path());
          }
        });
  }

  /**
   * Deletes a plain file, under its lock, in a durable round shared with concurrent deletes
   * ({@link DeleteCommitter}): moved into the trash, tombstone, binlog line. Its directory force and
   * its unlink run behind the answer ({@link Trash}): on ext4 mounted with {@code discard} the
   * discard is issued inside unlink (~1 ms per fsynced 1 MiB file on the benchmark machine).
   */
  Future<Void> delete(Context ctx, FileId id) {
    Path p = pathOf(id);
    return locks.withLock(ctx, p, () -> commitPlainDelete(ctx, id, p, now(), true));
  }

  /**
   * A plain file's delete, the caller holding its lock: its own source's ({@code local}) or a
   * peer's, applied here ({@link PeerChanges#applyDelete}), in the next round of {@link
   * DeleteCommitter} (no disk-thread hop of its own: the rename is cheap).
   */
  Future<Void> commitPlainDelete(Context ctx, FileId id, Path p, long ts, boolean local) {
    knownGood.forget(id.remoteName());
    return deletes.plain(ctx, id, p, ts, local);
  }

  /**
   * Runs {@code blocking} on a disk thread while holding {@code file}'s lock: how every change to
   * an existing file is made (deletes, metadata, appender writes, changes from peers).
   */
  <T> Future<T> underLock(Context ctx, Path file, java.util.concurrent.Callable<T> blocking) {
    return locks.withLock(ctx, file, () -> disk.executeBlocking(blocking, false));
  }

  /**
   * Runs {@code action} (on {@code ctx}) holding {@code id}'s lock, without a disk-thread hop of
   * its own: how the packed engine orders a delete and a peer's copy of one slot, as {@link
   * #underLock} orders them for plain files.
   */
  <T> Future<T> withLock(Context ctx, FileId id, java.util.function.Supplier<Future<T>> action) {
    return locks.withLock(ctx, pathOf(id), action);
  }

  /** Called (on a disk thread) when a delete brought a store path back above its reserve. */
  volatile Runnable onSpaceFreed = () -> {};

  /**
   * Blocking: re-measures the path a delete freed space on (one statvfs), so that uploads after
   * freeing a full disk are not refused ENOSPC until the next heartbeat re-measures it.
   */
  void spaceAfterDelete(int storePathIndex) throws IOException {
    StorePath sp = paths.get(storePathIndex);
    boolean wasFull = !paths.hasRoomFor(sp, 0);
    sp.refreshSpace();
    if (wasFull && paths.hasRoomFor(sp, 0)) {
      onSpaceFreed.run();
    }
  }

  /** Removes a file this storage just placed but may not keep (write quorum refused). */
  Future<Void> retract(Context ctx, FileId id) {
    // a packed slot is the packed engine's to delete (a plain delete would find no file)
    PackedBlobEngine p = packed;
    return p != null && p.owns(id) ? p.delete(ctx, id) : delete(ctx, id);
  }
}
