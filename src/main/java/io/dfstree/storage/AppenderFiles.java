package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What only appender files allow (append, modify, truncate, seal under a normal name), each under
 * the file's lock and logged as an update ({@code U}) or rename ({@code R}) for the peers. A write
 * that does not complete is rolled back to the original size.
 */
final class AppenderFiles {
  private final StoredFiles files;
  private final FileChanges changes;
  private final WorkerExecutor disk;
  private final FileLocks locks;
  private final boolean fsync;

  AppenderFiles(
      StoredFiles files, FileChanges changes, WorkerExecutor disk, FileLocks locks, boolean fsync) {
    this.files = files;
    this.changes = changes;
    this.disk = disk;
    this.locks = locks;
    this.fsync = fsync;
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
  Future<Void> update(Context ctx, FileId id, long offset, AppenderWrite body) {
    requireAppender(id);
    Path p = files.pathOf(id);
    return locks.withLock(
        ctx,
        p,
        () ->
            files
                .lookups()
                .stat(id)
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
                                        changes.record(
                                            StoredFiles.now(),
                                            Binlog.UPDATE,
                                            id.remoteName(),
                                            null);
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
    Path p = files.pathOf(id);
    return files.underLock(
        ctx,
        p,
        () -> {
          FileLookups.Stat st = FileLookups.statBlocking(p);
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
            changes.record(StoredFiles.now(), Binlog.UPDATE, id.remoteName(), null);
          }
          return null;
        });
  }

  /**
   * Seals an appender file under a normal name (real size and CRC); returns the new remote name.
   */
  Future<String> regenerate(Context ctx, FileId id) {
    requireAppender(id);
    Path p = files.pathOf(id);
    return files.underLock(
        ctx,
        p,
        () -> {
          FileLookups.Stat st = FileLookups.statBlocking(p);
          long crc = FileLookups.crc32Blocking(p);
          String ext = FileName.extensionOf(id.remoteName());
          long now = System.currentTimeMillis() / 1000;
          for (int attempt = 0; attempt < 10; attempt++) {
            String base =
                FileName.payload(
                        files.storageId(),
                        (int) now,
                        FileName.sizeField(st.size(), false),
                        (int) crc)
                    + FileName.extensionPart(ext);
            Path target = files.paths().get(id.storePathIndex()).file(id.high(), id.low(), base);
            if (changes.link(p, target, now)) {
              Files.delete(p);
              Path meta = StoredFiles.metadataPath(p);
              if (Files.exists(meta)) {
                Files.move(meta, StoredFiles.metadataPath(target));
              }
              String remote = FileName.logicPath(id.storePathIndex(), id.high(), id.low()) + base;
              changes.record(now, Binlog.RENAME, remote, id.remoteName());
              return remote;
            }
          }
          throw new FdfsException(Errno.EBUSY, "could not generate a unique file name");
        });
  }

  private static void requireAppender(FileId id) {
    if (!id.decoded().appender()) {
      throw FdfsException.invalid("not an appender file: " + id.remoteName());
    }
  }
}
