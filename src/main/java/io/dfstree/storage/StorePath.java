package io.dfstree.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One data directory ({@code Mxx}): {@code <root>/data/HH/HH/<name>} as FastDFS lays it out, plus
 * {@code <root>/data/.tmp} for uploads in flight (same filesystem, so placing a file is a rename).
 * Free space is refreshed off the event loop by the heartbeat and adjusted as uploads land.
 */
final class StorePath {
  private static final String INIT_MARK = ".data_init_flag";

  final int index;
  final Path root;
  final Path data;
  final Path tmp;
  final boolean readOnly;
  private volatile long totalBytes;
  private volatile long freeBytes;

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

  /**
   * Creates the 256×256 directories once (FastDFS does the same at first start), and empties the
   * temp directory: anything there belongs to an upload that never completed. Blocking.
   */
  void prepare(int subdirCount) throws IOException {
    Files.createDirectories(tmp);
    Path mark = data.resolve(INIT_MARK);
    String expected = "subdir_count_per_path=" + subdirCount + "\n";
    if (!Files.exists(mark) || !Files.readString(mark).equals(expected)) {
      for (int h = 0; h < subdirCount; h++) {
        Path level1 = data.resolve(StorePaths.HEX[h]);
        for (int l = 0; l < subdirCount; l++) {
          Files.createDirectories(level1.resolve(StorePaths.HEX[l]));
        }
      }
      Files.writeString(mark, expected);
    }
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
    refreshSpace();
  }

  /** Blocking: asks the filesystem. */
  void refreshSpace() throws IOException {
    FileStore store = Files.getFileStore(data);
    totalBytes = store.getTotalSpace();
    freeBytes = store.getUsableSpace();
  }

  long totalBytes() {
    return totalBytes;
  }

  long freeBytes() {
    return freeBytes;
  }

  /** Accounts for bytes just written, until the next refresh measures them. */
  void consumed(long bytes) {
    freeBytes = Math.max(0, freeBytes - bytes);
  }
}
