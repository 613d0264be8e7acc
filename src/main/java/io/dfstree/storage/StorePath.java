package io.dfstree.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One data directory ({@code Mxx}): {@code <root>/data/HH/HH/<name>} as FastDFS lays it out, plus
 * {@code <root>/data/.tmp/HH/} for uploads in flight (same filesystem, so placing a file is a
 * link). Temp files rotate over {@value #TEMP_DIRS} directories spread over the filesystem (see
 * {@link TopDirectory}): a file keeps the inode it was created with, so this spreads the inodes of
 * all stored files. Free space is refreshed off the event loop by the heartbeat and adjusted as
 * uploads land.
 */
final class StorePath {
  private static final String INIT_MARK = ".data_init_flag";
  static final int TEMP_DIRS = 256;

  final int index;
  final Path root;
  final Path data;
  final Path tmp;
  final boolean readOnly;
  private volatile FileStore fileStore;
  private final java.util.concurrent.atomic.AtomicInteger nextTemp =
      new java.util.concurrent.atomic.AtomicInteger(
          java.util.concurrent.ThreadLocalRandom.current().nextInt(TEMP_DIRS));
  private volatile long totalBytes;
  private volatile long freeBytes;

  /** Bytes of deleted files kept for uploads ({@link RecycledFiles}): free space to the cluster. */
  private final java.util.concurrent.atomic.AtomicLong keptBytes =
      new java.util.concurrent.atomic.AtomicLong();

  StorePath(int index, Path root, boolean readOnly) {
    this.index = index;
    this.root = root.toAbsolutePath().normalize();
    this.data = this.root.resolve("data");
    this.tmp = this.data.resolve(".tmp");
    this.readOnly = readOnly;
  }

  /** Where a file lives. Callers pass only validated hex indexes and names (see FileId). */
  Path file(int high, int low, String baseName) {
    return data.resolve(StorePaths.HEX[high]).resolve(StorePaths.HEX[low]).resolve(baseName);
  }

  /** A path for a new temp file: the temp directories take turns. */
  Path tempFile(String name) {
    return tmp.resolve(StorePaths.HEX[Math.floorMod(nextTemp.getAndIncrement(), TEMP_DIRS)])
        .resolve(name);
  }

  /**
   * Creates the 256×256 directories once (FastDFS does the same at first start), and empties the
   * temp directories: anything there belongs to an upload that never completed. Blocking.
   */
  void prepare(int subdirCount) throws IOException {
    Path mark = data.resolve(INIT_MARK);
    String expected = "subdir_count_per_path=" + subdirCount + "\n";
    boolean firstInit = !Files.exists(mark) || !Files.readString(mark).equals(expected);
    Files.createDirectories(data);
    if (firstInit) {
      TopDirectory.mark(data); // before its children exist: only new directories are placed
    }
    boolean newTmp = !Files.isDirectory(tmp.resolve(StorePaths.HEX[TEMP_DIRS - 1]));
    Files.createDirectories(tmp);
    if (newTmp) {
      TopDirectory.mark(tmp);
    }
    for (int i = 0; i < TEMP_DIRS; i++) {
      Files.createDirectories(tmp.resolve(StorePaths.HEX[i]));
    }
    if (firstInit) {
      for (int h = 0; h < subdirCount; h++) {
        Path level1 = data.resolve(StorePaths.HEX[h]);
        for (int l = 0; l < subdirCount; l++) {
          Files.createDirectories(level1.resolve(StorePaths.HEX[l]));
        }
      }
      Files.writeString(mark, expected);
    }
    Files.createDirectories(data.resolve(Trash.DIR)); // deleted files, until unlinked
    removeLeftovers(tmp);
    for (int i = 0; i < TEMP_DIRS; i++) {
      removeLeftovers(tmp.resolve(StorePaths.HEX[i]));
    }
    refreshSpace();
  }

  /**
   * Deletes the regular files directly in {@code dir} (older versions kept temp files in .tmp
   * itself).
   */
  private static void removeLeftovers(Path dir) throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, Files::isRegularFile)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Blocking: asks the filesystem. */
  void refreshSpace() throws IOException {
    FileStore store = fileStore;
    if (store == null) {
      // finding the file store reads the mount table: once, not on every delete (statvfs below is
      // cheap)
      store = fileStore = Files.getFileStore(data);
    }
    totalBytes = store.getTotalSpace();
    freeBytes = store.getUsableSpace();
  }

  long totalBytes() {
    return totalBytes;
  }

  /** Free space as reported and used for placement: measured, plus the kept files' bytes. */
  long freeBytes() {
    return freeBytes + keptBytes.get();
  }

  /** Free space as the filesystem last measured it (adjusted as uploads land). */
  long measuredFreeBytes() {
    return freeBytes;
  }

  long keptBytes() {
    return keptBytes.get();
  }

  /** {@code bytes} of deleted files were kept for uploads (negative: taken or unlinked). */
  void kept(long bytes) {
    keptBytes.addAndGet(bytes);
  }

  /** Blocks of a kept file went to an upload, which accounts for its own length when placed. */
  void unconsumed(long bytes) {
    freeBytes += bytes;
  }

  /** Accounts for bytes just written, until the next refresh measures them. */
  void consumed(long bytes) {
    freeBytes = Math.max(0, freeBytes - bytes);
  }
}
