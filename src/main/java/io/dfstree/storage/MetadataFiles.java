package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A stored file's metadata, kept beside it as its {@code -m} file (FastDFS's layout,
 * fastdfs-protocol.md §4): read, overwritten or merged under the file's lock, replaced atomically
 * and logged ({@code M}) for the peers. Plain files and packed slots alike.
 */
final class MetadataFiles {
  private final StoredFiles files;
  private final FileChanges changes;
  private final WorkerExecutor disk;

  MetadataFiles(StoredFiles files, FileChanges changes, WorkerExecutor disk) {
    this.files = files;
    this.changes = changes;
    this.disk = disk;
  }

  /** Blocking: ENOENT unless the file is here (a packed slot, or a file of its own). */
  private void checkPresent(FileId id, Path p) throws IOException {
    if (files.isPacked(id)) {
      if (!files.lookups().isHereBlocking(id, p)) {
        throw FdfsException.notFound("file does not exist");
      }
      return;
    }
    FileLookups.statBlocking(p);
  }

  /** The raw -m file; ENOENT when the file has no metadata (as FastDFS answers). */
  Future<byte[]> get(FileId id) {
    Path p = files.pathOf(id);
    return disk.executeBlocking(
        () -> {
          checkPresent(id, p);
          try {
            return Files.readAllBytes(StoredFiles.metadataPath(p));
          } catch (NoSuchFileException e) {
            throw FdfsException.notFound("file has no metadata");
          }
        },
        false);
  }

  /** 'O' overwrites (empty list deletes the -m file), 'M' merges; result stored sorted by name. */
  Future<Void> set(Context ctx, FileId id, byte op, List<Metadata.Entry> entries) {
    Path p = files.pathOf(id);
    return files.underLock(
        ctx,
        p,
        () -> {
          checkPresent(id, p);
          Path meta = StoredFiles.metadataPath(p);
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
              record(id);
              return null;
            }
            result = Metadata.sorted(entries);
          }
          if (files.isPacked(id)) {
            files.packedEngine().beforeMetadataWrite(id); // a packed delete then looks for it
          }
          changes.writeAtomically(meta, Metadata.encode(result));
          record(id);
          return null;
        });
  }

  /** Blocking, under the file's lock: logs a change made here, and notes it against echoes. */
  private void record(FileId id) throws IOException {
    long now = StoredFiles.now();
    files.localMetadata.changed(id.remoteName(), now);
    changes.record(now, Binlog.METADATA, id.remoteName(), null);
  }
}
