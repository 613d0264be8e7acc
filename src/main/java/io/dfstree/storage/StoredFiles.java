package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * The file operations of a storage, on real files: new uploads land in the temp directory and are
 * linked into place under their generated FastDFS name only when complete (so no partial file is
 * ever visible and an existing name is never overwritten); appender updates, metadata and deletes
 * run under a per-file lock. Every disk call runs on a worker thread.
 *
 * <p>Why one class past 400 lines: every operation here keeps the same few invariants together —
 * link-into-place (never overwrite, never show a partial file), the per-file lock, the binlog line
 * written under that lock before the caller hears of the change, and the tombstone that keeps a
 * delete deleted — over the same private helpers ({@code link}, {@code record}, {@code bury},
 * {@code writeAtomically}). Split it along those helpers, not by caller: the changes received from
 * peers (the lower-case binlog section) and the appender operations are the natural next rooms once
 * the helpers are a class of their own.
 */
final class StoredFiles {
  private final WorkerExecutor disk;
  private final StorePaths paths;
  private final FileLocks locks = new FileLocks();
  private final int storageId;
  private final String group;
  private final boolean fsync;
  private final AtomicLong tempCounter = new AtomicLong();
  private final DirectorySync directorySync = new DirectorySync();

  /**
   * Names being placed here right now, by an upload streamed to peers (write quorum) or by a
   * replica streamed from its source, with when that ends. A peer may log its copy, and our
   * catch-up read that line, before our own link is done: catch-up waits for it rather than
   * fetching the file a second time (or taking the name from under the upload).
   */
  private final java.util.Map<String, Promise<Void>> placing =
      new java.util.concurrent.ConcurrentHashMap<>();

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

  /** What stat says about a stored file. */
  record Stat(Path path, long size, long mtimeSeconds) {}

  /**
   * The packed engine, when on: trunk names are its, their binlog, tombstones and -m files ours.
   */
  private volatile PackedBlobEngine packed;

  void packed(PackedBlobEngine engine) {
    this.packed = engine;
  }

  private boolean isPacked(FileId id) {
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
   * After a packed slot is deleted (or a peer's delete found none): its -m file, tombstone, binlog.
   */
  Future<Void> afterPackedDelete(Context ctx, FileId id, boolean local) {
    return afterPackedDelete(ctx, id, local, true);
  }

  /** {@code logged}: write the binlog line (a peer's delete of a slot not here is not logged). */
  Future<Void> afterPackedDelete(Context ctx, FileId id, boolean local, boolean logged) {
    Path p = pathOf(id);
    return disk.executeBlocking(
        () -> {
          Files.deleteIfExists(metadataPath(p));
          if (logged) {
            buryAndRecord(
                now(),
                local ? Binlog.DELETE : Character.toLowerCase(Binlog.DELETE),
                id.remoteName());
          } else {
            bury(id.remoteName(), now());
          }
          return null;
        },
        false);
  }

  /** Blocking: ENOENT unless the file is here (a packed slot, or a file of its own). */
  private void checkPresent(FileId id, Path p) throws IOException {
    if (isPacked(id)) {
      if (!packed
          .store(id.storePathIndex())
          .contains(io.dfstree.fileid.TrunkId.parse(id.remoteName()))) {
        throw FdfsException.notFound("file does not exist");
      }
      return;
    }
    statBlocking(p);
  }

  StoredFiles(WorkerExecutor disk, StorePaths paths, int storageId, String group, boolean fsync) {
    this.disk = disk;
    this.paths = paths;
    this.storageId = storageId;
    this.group = group;
    this.fsync = fsync;
  }

  String group() {
    return group;
  }

  void binlog(Binlog log) {
    this.binlog = log;
  }

  Binlog binlog() {
    return binlog;
  }

  void tombstones(TombstoneStore store) {
    this.tombstoneStore = store;
  }

  TombstoneStore tombstones() {
    return tombstoneStore;
  }

  /** Blocking: records a change for peers; failures are logged, the change itself stands. */
  private boolean record(long ts, char op, String name, String second) {
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
  private void buryAndRecord(long ts, char op, String remoteName) throws IOException {
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
   * Blocking, under the file's lock: remembers that {@code remoteName} was deleted at {@code ts}.
   */
  private void bury(String remoteName, long ts) throws IOException {
    TombstoneStore store = tombstoneStore;
    if (store != null) {
      store.bury(remoteName, ts);
    } else {
      tombstones.put(remoteName, ts);
    }
  }

  /**
   * Blocking, under the file's lock: whether a peer's copy of {@code id} (created or updated at
   * {@code mtimeSeconds}) predates a delete of it here. A generated name (44 characters: creation
   * time, random bits, CRC32) is never created twice, so any copy is stale; a derived name (a slave
   * file) may be uploaded again after a delete, so only an older copy is.
   */
  boolean deletedSince(FileId id, long mtimeSeconds) {
    TombstoneStore store = tombstoneStore;
    Long deleted =
        store != null ? store.deletedAt(id.remoteName()) : tombstones.get(id.remoteName());
    return deleted != null
        && (id.remoteName().length() == FileName.NORMAL_NAME_LEN || mtimeSeconds < deleted);
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
    Path temp =
        p.tempFile("up-" + ProcessHandle.current().pid() + "-" + tempCounter.incrementAndGet());
    return new FileWriteStream(disk, temp, 0, true, fsync);
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
              if (link(w.path(), target, now)) {
                p.consumed(w.bytes());
                String remote = FileName.logicPath(p.index, dir[0], dir[1]) + base;
                record(now, Binlog.CREATE, remote, null);
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
   * caller must then {@link #placeAs} it, which ends its time in {@link #isPlacing}.
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

  /**
   * Completes on {@code ctx} once nothing is being placed under {@code remoteName} here (at once
   * when nothing is).
   */
  Future<Void> afterPlacing(Context ctx, String remoteName) {
    Promise<Void> p = placing.get(remoteName);
    if (p == null) {
      return Future.succeededFuture();
    }
    Promise<Void> here = ((io.vertx.core.internal.ContextInternal) ctx).promise();
    p.future().onComplete(here);
    return here.future();
  }

  /**
   * Marks the start and the end of placing a file under {@code remoteName} (see {@link
   * #afterPlacing}).
   */
  void placing(String remoteName, boolean inProgress) {
    if (inProgress) {
      placing.putIfAbsent(remoteName, Promise.promise());
    } else {
      Promise<Void> p = placing.remove(remoteName);
      if (p != null) {
        p.tryComplete();
      }
    }
  }

  /** Places a finished upload under a name chosen by the caller ({@link #newName}). */
  Future<String> placeAs(
      FileWriteStream upload, StorePath p, String remoteName, long mtimeSeconds) {
    FileId id = FileId.parseRemote(group, remoteName);
    return upload
        .finish(
            w -> {
              try {
                if (!link(w.path(), p.file(id.high(), id.low(), id.baseName()), mtimeSeconds)) {
                  throw new FdfsException(
                      Errno.EEXIST, "generated name already taken: " + remoteName);
                }
                p.consumed(w.bytes());
                record(mtimeSeconds, Binlog.CREATE, remoteName, null);
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
            if (!link(w.path(), pathOf(slave), now)) {
              throw new FdfsException(
                  Errno.EEXIST, "slave file already exists: " + slave.remoteName());
            }
            paths.get(slave.storePathIndex()).consumed(w.bytes());
            record(now, Binlog.CREATE, slave.remoteName(), null);
            return slave.remoteName();
          } finally {
            FileWriteStream.deleteQuietly(w.path());
          }
        });
  }

  /** Hard link then unlink: atomic, and unlike rename it refuses to replace an existing name. */
  private boolean link(Path temp, Path target, long mtimeSeconds) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (NoSuchFileException e) {
      Files.createDirectories(target.getParent()); // a directory removed by hand: recreate it
      Files.createLink(target, temp);
    }
    Files.setLastModifiedTime(target, FileTime.fromMillis(mtimeSeconds * 1000));
    if (fsync) {
      directorySync.force(target.getParent());
    }
    return true;
  }

  Future<Stat> stat(FileId id) {
    if (isPacked(id)) {
      return packed.open(id).map(r -> new Stat(r.path(), r.length(), r.mtimeSeconds()));
    }
    Path p = pathOf(id);
    return disk.executeBlocking(() -> statBlocking(p), false);
  }

  private static Stat statBlocking(Path p) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        throw FdfsException.notFound("not a regular file");
      }
      return new Stat(p, a.size(), a.lastModifiedTime().toMillis() / 1000);
    } catch (NoSuchFileException e) {
      throw FdfsException.notFound("file does not exist");
    }
  }

  Future<Void> delete(Context ctx, FileId id) {
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  if (!Files.deleteIfExists(p)) {
                    throw FdfsException.notFound("file does not exist");
                  }
                  Files.deleteIfExists(metadataPath(p));
                  if (fsync) {
                    directorySync.force(p.getParent());
                  }
                  buryAndRecord(now(), Binlog.DELETE, id.remoteName());
                  spaceAfterDelete(id.storePathIndex());
                  return null;
                },
                false));
  }

  /** Called (on a disk thread) when a delete brought a store path back above its reserve. */
  volatile Runnable onSpaceFreed = () -> {};

  /**
   * Blocking: re-measures the path a delete freed space on (one statvfs), so that uploads after
   * freeing a full disk are not refused ENOSPC until the next heartbeat re-measures it.
   */
  private void spaceAfterDelete(int storePathIndex) throws IOException {
    StorePath sp = paths.get(storePathIndex);
    boolean wasFull = !paths.hasRoomFor(sp, 0);
    sp.refreshSpace();
    if (wasFull && paths.hasRoomFor(sp, 0)) {
      onSpaceFreed.run();
    }
  }

  /** The raw -m file; ENOENT when the file has no metadata (as FastDFS answers). */
  Future<byte[]> getMetadata(FileId id) {
    Path p = pathOf(id);
    return disk.executeBlocking(
        () -> {
          checkPresent(id, p);
          try {
            return Files.readAllBytes(metadataPath(p));
          } catch (NoSuchFileException e) {
            throw FdfsException.notFound("file has no metadata");
          }
        },
        false);
  }

  /** 'O' overwrites (empty list deletes the -m file), 'M' merges; result stored sorted by name. */
  Future<Void> setMetadata(Context ctx, FileId id, byte op, List<Metadata.Entry> entries) {
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  checkPresent(id, p);
                  Path meta = metadataPath(p);
                  List<Metadata.Entry> result;
                  if (op == 'M') {
                    if (entries.isEmpty()) {
                      return null;
                    }
                    List<Metadata.Entry> existing =
                        Files.exists(meta) ? Metadata.decode(Files.readAllBytes(meta)) : List.of();
                    result = Metadata.merge(existing, entries);
                  } else {
                    if (entries.isEmpty()) {
                      Files.deleteIfExists(meta);
                      record(now(), Binlog.METADATA, id.remoteName(), null);
                      return null;
                    }
                    result = Metadata.sorted(entries);
                  }
                  writeAtomically(meta, Metadata.encode(result));
                  record(now(), Binlog.METADATA, id.remoteName(), null);
                  return null;
                },
                false));
  }

  private void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp =
        target.resolveSibling(target.getFileName() + ".tmp" + tempCounter.incrementAndGet());
    try (FileChannel ch =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(content));
      if (fsync) {
        ch.force(false);
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
    if (fsync) {
      directorySync.force(target.getParent());
    }
  }

  /**
   * CRC32 of a whole file, for appender and slave files whose name does not describe their content.
   */
  Future<Long> crc32(Path p) {
    return disk.executeBlocking(() -> crc32Blocking(p), false);
  }

  private static long crc32Blocking(Path p) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(p)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        crc.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw FdfsException.notFound("file does not exist");
    }
    return crc.getValue();
  }

  /** An appender update holds the file's lock from open until finish or abort. */
  interface AppenderWrite {
    Future<Void> run(FileWriteStream stream, long originalSize);
  }

  /**
   * Writes {@code length} bytes into an appender file at {@code offset} (-1 = its end). A write
   * that does not complete is rolled back to the original size, so readers never see half an
   * append.
   */
  Future<Void> updateAppender(Context ctx, FileId id, long offset, AppenderWrite body) {
    requireAppender(id);
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            stat(id)
                .compose(
                    st -> {
                      long at = offset < 0 ? st.size() : offset;
                      if (at > st.size()) {
                        return Future.failedFuture(
                            FdfsException.invalid(
                                "offset " + at + " beyond file size " + st.size()));
                      }
                      FileWriteStream stream = new FileWriteStream(disk, p, at, false, fsync);
                      // on failure stop the stream first: a batch still in flight (or queued behind
                      // it) would
                      // otherwise be written after the rollback, and its channel would stay open
                      return body.run(stream, st.size())
                          .compose(
                              v ->
                                  disk.<Void>executeBlocking(
                                      () -> {
                                        record(now(), Binlog.UPDATE, id.remoteName(), null);
                                        return null;
                                      },
                                      false))
                          .recover(
                              err ->
                                  stream
                                      .abort()
                                      .transform(
                                          a ->
                                              disk.executeBlocking(
                                                  () -> {
                                                    // roll back a partial append; a partial modify
                                                    // cannot be undone byte-exactly, but its
                                                    // length is restored and the client was told it
                                                    // failed
                                                    try (FileChannel ch =
                                                        FileChannel.open(
                                                            p, StandardOpenOption.WRITE)) {
                                                      if (ch.size() > st.size()) {
                                                        ch.truncate(st.size());
                                                      }
                                                    }
                                                    return null;
                                                  },
                                                  false))
                                      .transform(x -> Future.failedFuture(err)));
                    }));
  }

  Future<Void> truncate(Context ctx, FileId id, long newSize) {
    requireAppender(id);
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  Stat st = statBlocking(p);
                  if (newSize > st.size()) {
                    throw FdfsException.invalid(
                        "truncate size " + newSize + " is larger than file size " + st.size());
                  }
                  if (newSize < st.size()) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                      ch.truncate(newSize);
                      if (fsync) {
                        ch.force(false);
                      }
                    }
                    record(now(), Binlog.UPDATE, id.remoteName(), null);
                  }
                  return null;
                },
                false));
  }

  /**
   * Seals an appender file under a normal name (real size and CRC); returns the new remote name.
   */
  Future<String> regenerate(Context ctx, FileId id) {
    requireAppender(id);
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  Stat st = statBlocking(p);
                  long crc = crc32Blocking(p);
                  String ext = FileName.extensionOf(id.remoteName());
                  long now = System.currentTimeMillis() / 1000;
                  for (int attempt = 0; attempt < 10; attempt++) {
                    String base =
                        FileName.payload(
                                storageId,
                                (int) now,
                                FileName.sizeField(st.size(), false),
                                (int) crc)
                            + FileName.extensionPart(ext);
                    Path target = paths.get(id.storePathIndex()).file(id.high(), id.low(), base);
                    if (link(p, target, now)) {
                      Files.delete(p);
                      Path meta = metadataPath(p);
                      if (Files.exists(meta)) {
                        Files.move(meta, metadataPath(target));
                      }
                      String remote =
                          FileName.logicPath(id.storePathIndex(), id.high(), id.low()) + base;
                      record(now, Binlog.RENAME, remote, id.remoteName());
                      return remote;
                    }
                  }
                  throw new FdfsException(Errno.EBUSY, "could not generate a unique file name");
                },
                false));
  }

  // ---- changes received from peers (recorded lower-case) ----------------------------------

  /**
   * Places a file received from a peer under the name the peer gave it. {@code replace} is for
   * whole-file updates of appender files; a create of a name we already hold is a no-op. A copy of
   * a file deleted here since fails with ENOENT ({@link #deletedSince}).
   */
  Future<Boolean> placeReplica(
      Context ctx, FileWriteStream received, FileId id, long mtimeSeconds, boolean replace) {
    Path target = pathOf(id);
    return locks.withLock(
        ctx,
        target,
        () ->
            received.finish(
                w -> {
                  try {
                    if (deletedSince(id, mtimeSeconds)) {
                      // ENOENT, as from a peer that no longer has the file: catch-up skips it, a
                      // read finds
                      // nothing, and a source still waiting for this copy does not count it as
                      // placed
                      org.slf4j.LoggerFactory.getLogger(StoredFiles.class)
                          .info(
                              "storage: copy of {} from a peer predates its delete here: dropped",
                              id.remoteName());
                      throw FdfsException.notFound("deleted here since: " + id.remoteName());
                    }
                    if (replace) {
                      Files.setLastModifiedTime(w.path(), FileTime.fromMillis(mtimeSeconds * 1000));
                      Files.move(
                          w.path(),
                          target,
                          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                      if (fsync) {
                        directorySync.force(target.getParent());
                      }
                      record(
                          mtimeSeconds,
                          Character.toLowerCase(Binlog.UPDATE),
                          id.remoteName(),
                          null);
                      return true;
                    }
                    if (!link(w.path(), target, mtimeSeconds)) {
                      return false;
                    }
                    paths.get(id.storePathIndex()).consumed(w.bytes());
                    record(
                        mtimeSeconds, Character.toLowerCase(Binlog.CREATE), id.remoteName(), null);
                    return true;
                  } finally {
                    FileWriteStream.deleteQuietly(w.path());
                  }
                }));
  }

  /** A temp file in the store path of {@code id}, for bytes coming from a peer. */
  FileWriteStream newReplica(FileId id) {
    return newUpload(paths.get(id.storePathIndex())).withoutCrc();
  }

  Future<Boolean> exists(FileId id) {
    if (isPacked(id)) {
      return packed.exists(id);
    }
    Path p = pathOf(id);
    return disk.executeBlocking(() -> Files.exists(p), false);
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

  /** Whether a copy of {@code remoteName} is being placed here right now ({@link #placing}). */
  boolean isPlacing(String remoteName) {
    return placing.containsKey(remoteName);
  }

  /**
   * Which of {@code ids} are here: packed slots from memory, plain files with one disk-thread hop
   * for all of them (a peer's binlog lists mostly files held already).
   */
  Future<java.util.Set<String>> present(List<FileId> ids) {
    java.util.Set<String> here = new java.util.HashSet<>();
    List<FileId> plain = new java.util.ArrayList<>();
    for (FileId id : ids) {
      if (isPacked(id)) {
        if (packed
            .store(id.storePathIndex())
            .contains(io.dfstree.fileid.TrunkId.parse(id.remoteName()))) {
          here.add(id.remoteName());
        }
      } else {
        plain.add(id);
      }
    }
    if (plain.isEmpty()) {
      return Future.succeededFuture(here);
    }
    return disk.executeBlocking(
        () -> {
          for (FileId id : plain) {
            if (Files.exists(pathOf(id))) {
              here.add(id.remoteName());
            }
          }
          return here;
        },
        false);
  }

  Future<Void> applyDelete(Context ctx, FileId id, long ts) {
    if (isPacked(id)) {
      return packed.applyDelete(ctx, id, ts);
    }
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  boolean removed = Files.deleteIfExists(p);
                  removed |= Files.deleteIfExists(metadataPath(p));
                  // also when the file is not here (yet): a copy of it still on its way must not
                  // stay
                  if (removed) {
                    buryAndRecord(ts, Character.toLowerCase(Binlog.DELETE), id.remoteName());
                  } else {
                    bury(id.remoteName(), ts);
                  }
                  return null;
                },
                false));
  }

  /** Renames a sealed appender as its source did; false when the old name is not here. */
  Future<Boolean> applyRename(Context ctx, FileId newId, FileId oldId, long ts) {
    Path from = pathOf(oldId);
    Path to = pathOf(newId);
    return locks.withLock(
        ctx,
        from,
        () ->
            disk.executeBlocking(
                () -> {
                  if (!Files.exists(from)) {
                    return false;
                  }
                  if (link(from, to, ts)) {
                    Files.delete(from);
                    Path meta = metadataPath(from);
                    if (Files.exists(meta)) {
                      Files.move(
                          meta,
                          metadataPath(to),
                          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                  }
                  record(
                      ts,
                      Character.toLowerCase(Binlog.RENAME),
                      newId.remoteName(),
                      oldId.remoteName());
                  return true;
                },
                false));
  }

  /** Stores (or removes, when {@code raw} is null) a file's metadata as its peer has it. */
  Future<Void> applyMetadata(Context ctx, FileId id, byte[] raw, long ts) {
    Path p = pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            disk.executeBlocking(
                () -> {
                  if (!Files.exists(p)) {
                    return null;
                  }
                  Path meta = metadataPath(p);
                  if (raw == null) {
                    Files.deleteIfExists(meta);
                  } else {
                    writeAtomically(meta, raw);
                  }
                  record(ts, Character.toLowerCase(Binlog.METADATA), id.remoteName(), null);
                  return null;
                },
                false));
  }

  /** Removes a file this storage just placed but may not keep (write quorum refused). */
  Future<Void> retract(Context ctx, FileId id) {
    return delete(ctx, id);
  }

  private static void requireAppender(FileId id) {
    if (!id.decoded().appender()) {
      throw FdfsException.invalid("not an appender file: " + id.remoteName());
    }
  }
}
