package io.dfstree.storage;

import io.dfstree.config.StorageOptions;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage's data directories and the two choices made for every upload: which store path (the
 * tracker's suggestion unless it is out of space or read-only; else round robin or most free space)
 * and which of the 256×256 directories (rotating every N files, or by name hash).
 */
final class StorePaths {
  static final String[] HEX = new String[256];

  static {
    for (int i = 0; i < 256; i++) {
      HEX[i] = String.format("%02X", i);
    }
  }

  private final List<StorePath> paths = new ArrayList<>();
  private final StorageOptions options;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicLong dirCursor =
      new AtomicLong(ThreadLocalRandom.current().nextInt(1 << 16) * 100L);

  StorePaths(StorageOptions options) {
    this.options = options;
    for (int i = 0; i < options.storePaths().size(); i++) {
      paths.add(
          new StorePath(
              i, Path.of(options.storePaths().get(i)), options.readOnlyPaths().contains(i)));
    }
  }

  List<StorePath> all() {
    return paths;
  }

  int count() {
    return paths.size();
  }

  StorePath get(int index) {
    if (index < 0 || index >= paths.size()) {
      throw FdfsException.invalid(
          "store path index " + index + " out of range 0.." + (paths.size() - 1));
    }
    return paths.get(index);
  }

  long reserveOf(StorePath p) {
    long total = p.totalBytes();
    Reserve r = lastReserve;
    if (r.totalBytes != total) {
      // the option is text ("256M", "10%"): parsed when a path's size is new, not on every upload
      // and delete
      r = new Reserve(total, options.reservedBytes(total));
      lastReserve = r;
    }
    return r.bytes;
  }

  private record Reserve(long totalBytes, long bytes) {}

  private volatile Reserve lastReserve = new Reserve(-1, 0);

  /** Whether {@code size} more bytes keep the path above its reserve. */
  boolean hasRoomFor(StorePath p, long size) {
    return !p.readOnly && p.freeBytes() - size > reserveOf(p);
  }

  /**
   * The path for a new file of {@code size} bytes. {@code requested} is the client's index (from
   * the tracker), or -1 to let the storage choose.
   */
  StorePath choose(int requested, long size) {
    if (requested >= paths.size() || requested < -1) {
      throw FdfsException.invalid(
          "store path index " + requested + " out of range 0.." + (paths.size() - 1));
    }
    if (requested >= 0 && hasRoomFor(paths.get(requested), size)) {
      return paths.get(requested);
    }
    StorePath best = null;
    if (options.mostFreeSelection()) {
      for (StorePath p : paths) {
        if (hasRoomFor(p, size) && (best == null || p.freeBytes() > best.freeBytes())) {
          best = p;
        }
      }
    } else {
      int start = Math.floorMod(roundRobin.getAndIncrement(), paths.size());
      for (int i = 0; i < paths.size() && best == null; i++) {
        StorePath p = paths.get((start + i) % paths.size());
        if (hasRoomFor(p, size)) {
          best = p;
        }
      }
    }
    if (best == null) {
      throw new FdfsException(
          Errno.ENOSPC, "no store path has room for " + size + " bytes above its reserve");
    }
    return best;
  }

  /** The next directory as {high, low}. Mode 0 rotates every N files; mode 1 hashes the payload. */
  int[] directoryFor(String payload) {
    int n = options.subdirCount();
    if (options.fileDistributeMode() == 1) {
      int h = pjwHash(payload);
      return new int[] {((h >>> 8) & 0xFF) % n, (h & 0xFF) % n};
    }
    long slot = dirCursor.getAndIncrement() / Math.max(1, options.fileDistributeRotateCount());
    int cell = (int) (slot % ((long) n * n));
    return new int[] {cell / n, cell % n};
  }

  /** The PJW hash FastDFS uses for file_distribute_path_mode = 1. */
  static int pjwHash(String s) {
    int h = 0;
    for (int i = 0; i < s.length(); i++) {
      h = (h << 4) + s.charAt(i);
      int g = h & 0xF0000000;
      if (g != 0) {
        h ^= g >>> 24;
        h ^= g;
      }
    }
    return h & 0x7FFFFFFF;
  }

  /** The index the storage would pick next (reported in heartbeats). */
  int currentWritePath() {
    return Math.floorMod(roundRobin.get(), paths.size());
  }
}
