package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The changes a storage takes from its peers (catch-up, replica uploads): files placed under the
 * name their source gave them, deletes, renames of sealed appenders and metadata, each under the
 * file's lock and logged in lower case so they are never sent back. A copy of a file deleted here
 * since is dropped ({@link FileChanges#deletedSince}).
 */
final class PeerChanges {
  private final StoredFiles files;
  private final FileChanges changes;
  private final WorkerExecutor disk;
  private final FileLocks locks;

  PeerChanges(StoredFiles files, FileChanges changes, WorkerExecutor disk, FileLocks locks) {
    this.files = files;
    this.changes = changes;
    this.disk = disk;
    this.locks = locks;
  }

  /**
   * Places a file received from a peer under the name the peer gave it. {@code replace} is for
   * whole-file updates of appender files; a create of a name we already hold is a no-op. A copy of
   * a file deleted here since fails with ENOENT ({@link #deletedSince}).
   */
  Future<Boolean> placeReplica(
      Context ctx, FileWriteStream received, FileId id, long mtimeSeconds, boolean replace) {
    Path target = files.pathOf(id);
    return locks.withLock(
        ctx,
        target,
        () ->
            received.finish(
                w -> {
                  try {
                    if (changes.deletedSince(id, mtimeSeconds)) {
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
                      changes.forceDirectory(target.getParent());
                      changes.record(
                          mtimeSeconds,
                          Character.toLowerCase(Binlog.UPDATE),
                          id.remoteName(),
                          null);
                      return true;
                    }
                    if (!changes.link(w.path(), target, mtimeSeconds)) {
                      return false;
                    }
                    files.paths().get(id.storePathIndex()).consumed(w.bytes());
                    // checked as it arrived: its first download here need not read it again
                    files.knownGood.copied(id.remoteName(), target, w.bytes(), w.crc32());
                    changes.record(
                        mtimeSeconds, Character.toLowerCase(Binlog.CREATE), id.remoteName(), null);
                    return true;
                  } finally {
                    FileWriteStream.deleteQuietly(w.path());
                  }
                }));
  }

  /**
   * A temp file in the store path of {@code id}, for bytes coming from a peer; their CRC32 is
   * computed on the way ({@link KnownGoodFiles#copied}).
   */
  FileWriteStream newReplica(FileId id) {
    return files.newUpload(files.paths().get(id.storePathIndex()));
  }

  Future<Void> applyDelete(Context ctx, FileId id, long ts) {
    if (files.isPacked(id)) {
      return files.packedEngine().applyDelete(ctx, id, ts);
    }
    // also when the file is not here (yet): its tombstone keeps out a copy still on its way
    Path p = files.pathOf(id);
    return files.withLock(ctx, id, () -> files.commitPlainDelete(ctx, id, p, ts, false));
  }

  /** Renames a sealed appender as its source did; false when the old name is not here. */
  Future<Boolean> applyRename(Context ctx, FileId newId, FileId oldId, long ts) {
    Path from = files.pathOf(oldId);
    Path to = files.pathOf(newId);
    return files.underLock(
        ctx,
        from,
        () -> {
          if (!Files.exists(from)) {
            return false;
          }
          if (changes.link(from, to, ts)) {
            Files.delete(from);
            Path meta = StoredFiles.metadataPath(from);
            if (Files.exists(meta)) {
              Files.move(
                  meta,
                  StoredFiles.metadataPath(to),
                  java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
          }
          changes.record(
              ts, Character.toLowerCase(Binlog.RENAME), newId.remoteName(), oldId.remoteName());
          return true;
        });
  }

  /**
   * A peer's metadata line, with the peer's {@code -m} file as it is now ({@code raw}; null: it has
   * none). {@code fromItsSource}: an upper-case line, a change made on that peer, applied always. A
   * lower-case line is a change the peer took from another member; it is dropped when the {@code
   * -m} file here is as recent as the line (a change made here since, {@link LocalMetadataChanges},
   * or applied here from a line of that second or later: the file's time is the line's), so an echo
   * of our own change never overwrites a newer one with the peer's older copy. Nothing is written
   * or logged when the bytes are the same already, which ends any echo.
   */
  Future<Void> applyMetadata(Context ctx, FileId id, byte[] raw, long ts, boolean fromItsSource) {
    Path p = files.pathOf(id);
    return files.underLock(
        ctx,
        p,
        () -> {
          if (!files.lookups().isHereBlocking(id, p)) {
            return null;
          }
          Path meta = StoredFiles.metadataPath(p);
          byte[] here = readIfExists(meta);
          if (!fromItsSource
              && (files.localMetadata.changedHereSince(id.remoteName(), ts)
                  || (here != null && Files.getLastModifiedTime(meta).toMillis() >= ts * 1000))) {
            return null;
          }
          if (raw == null ? here == null : here != null && java.util.Arrays.equals(raw, here)) {
            return null;
          }
          if (raw == null) {
            Files.deleteIfExists(meta);
          } else {
            if (files.isPacked(id)) {
              files.packedEngine().beforeMetadataWrite(id); // a packed delete then looks for it
            }
            changes.writeAtomically(meta, raw);
            // the change's time, not ours: a later echo of an older line is then known as such
            Files.setLastModifiedTime(meta, FileTime.fromMillis(ts * 1000));
          }
          changes.record(ts, Character.toLowerCase(Binlog.METADATA), id.remoteName(), null);
          return null;
        });
  }

  private static byte[] readIfExists(Path meta) throws java.io.IOException {
    try {
      return Files.readAllBytes(meta);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }
}
