package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * What a storage's files answer without changing anything: a file's stat, whether one file or which
 * of many are here, a whole file's CRC32. A packed slot is asked of the packed engine (from
 * memory), a plain file on a disk thread.
 *
 * <p>Apart from {@link StoredFiles} because nothing here takes a file's lock, links a file into
 * place or writes a binlog line or a tombstone: these are the questions every front end and the
 * replication ask, beside the changes that class orders.
 */
final class FileLookups {
  private final StoredFiles files;
  private final WorkerExecutor disk;

  /** What stat says about a stored file. */
  record Stat(Path path, long size, long mtimeSeconds) {}

  FileLookups(StoredFiles files, WorkerExecutor disk) {
    this.files = files;
    this.disk = disk;
  }

  /**
   * Blocking: whether the file is here — a live packed slot, or a file of its own at {@code p} (its
   * {@link StoredFiles#pathOf}). A packed slot has no file at {@code p}, only its {@code -m} file
   * there.
   */
  boolean isHereBlocking(FileId id, Path p) {
    if (files.isPacked(id)) {
      return files
          .packedEngine()
          .store(id.storePathIndex())
          .contains(TrunkId.of(id));
    }
    return Files.exists(p);
  }

  Future<Stat> stat(FileId id) {
    if (files.isPacked(id)) {
      return files
          .packedEngine()
          .open(id)
          .map(r -> new Stat(r.path(), r.length(), r.mtimeSeconds()));
    }
    Path p = files.pathOf(id);
    return disk.executeBlocking(() -> statBlocking(p), false);
  }

  static Stat statBlocking(Path p) throws IOException {
    BasicFileAttributes a = attributesBlocking(p);
    return new Stat(p, a.size(), a.lastModifiedTime().toMillis() / 1000);
  }

  /** Blocking: the attributes of the regular file at {@code p}; ENOENT when there is none. */
  static BasicFileAttributes attributesBlocking(Path p) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        throw FdfsException.notFound("not a regular file");
      }
      return a;
    } catch (NoSuchFileException e) {
      throw FdfsException.notFound("file does not exist");
    }
  }

  /**
   * CRC32 of a whole file, for appender and slave files whose name does not describe their content.
   */
  Future<Long> crc32(Path p) {
    return disk.executeBlocking(() -> crc32Blocking(p), false);
  }

  static long crc32Blocking(Path p) throws IOException {
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

  Future<Boolean> exists(FileId id) {
    if (files.isPacked(id)) {
      return files.packedEngine().exists(id);
    }
    Path p = files.pathOf(id);
    return disk.executeBlocking(() -> Files.exists(p), false);
  }

  /**
   * Which of {@code ids} are here: packed slots from memory, plain files with one disk-thread hop
   * for all of them (a peer's binlog lists mostly files held already).
   */
  Future<Set<String>> present(List<FileId> ids) {
    Set<String> here = new HashSet<>();
    List<FileId> plain = new ArrayList<>();
    for (FileId id : ids) {
      if (files.isPacked(id)) {
        if (files
            .packedEngine()
            .store(id.storePathIndex())
            .contains(TrunkId.of(id))) {
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
            if (Files.exists(files.pathOf(id))) {
              here.add(id.remoteName());
            }
          }
          return here;
        },
        false);
  }
}
