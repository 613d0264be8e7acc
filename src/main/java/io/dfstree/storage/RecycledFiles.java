package io.dfstree.storage;

import io.dfstree.storage.os.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * Deleted plain files kept in the trash for new plain uploads of the same store path to write into,
 * instead of unlinked (as PostgreSQL recycles WAL segments and RocksDB its logs:
 * recycle_log_file_num).
 *
 * <p>Why (benchmark/PROFILE.md, recycle): on the benchmark machine {@code /} is ext4 without a
 * journal, mounted {@code discard}. Unlinking a fsynced 1 MiB file frees its blocks and issues ~1
 * MiB of discards inside the unlink; the device takes them one request at a time, and the next
 * delete's binlog {@code fdatasync} waits behind them. A new upload then allocates blocks again.
 * Kept, the deleted file's blocks go to the next upload: the delete frees nothing, the upload
 * allocates nothing (it overwrites blocks already allocated).
 *
 * <p>Rules: only with fsync (an upload is linked only after the force of all its bytes, and of its
 * length when it truncates a longer kept file: a deleted file's bytes are never readable under a
 * new name, even after a power cut; without fsync a crash could leave them). A file is kept only
 * once its delete is durable (the trash keeps it after the directory it left was forced) and only
 * when no descriptor has it open (a write lease is granted only then): a download that opened it
 * before its delete keeps reading its old bytes, never an upload's. Kept files are bounded per
 * store path (min(1 GiB, 1/64 of the path)) and kept only while the path has that much room above
 * its reserve; files under 64 KiB are unlinked. They count as free space (see {@link
 * StorePath#freeBytes}). They live in the trash, so a start empties them as before; in memory only.
 */
final class RecycledFiles {
  static final long MAX_BYTES = 1L << 30;

  /** Smaller files are unlinked: their discards are short, and their blocks would serve little. */
  static final long MIN_BYTES = 64 * 1024;

  private record Kept(Path file, long bytes) {}

  private final StorePaths paths;
  private final Map<Integer, Deque<Kept>> kept = new ConcurrentHashMap<>();

  /** Off without fsync, where leases are unavailable, and in tests of the old behaviour. */
  volatile boolean enabled;

  /** Files kept, and kept files an upload wrote into (tests). */
  final LongAdder keptFiles = new LongAdder();

  final LongAdder reusedFiles = new LongAdder();

  RecycledFiles(StorePaths paths, boolean fsync) {
    this.paths = paths;
    this.enabled = fsync && NoReaders.available();
  }

  /** At most this many bytes of kept files in {@code p}. */
  static long bound(StorePath p) {
    return Math.min(MAX_BYTES, p.totalBytes() / 64);
  }

  private Deque<Kept> of(StorePath p) {
    return kept.computeIfAbsent(p.index, i -> new ConcurrentLinkedDeque<>());
  }

  /**
   * Blocking, on the trash thread, once {@code trashed}'s delete is durable: keeps it for an upload
   * (true: do not unlink it), or false when it is not kept.
   */
  boolean keep(StorePath p, Path trashed) {
    if (!enabled || p.readOnly) {
      return false;
    }
    long size;
    try {
      size = Files.size(trashed);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    long bound = bound(p);
    if (size < MIN_BYTES
        || p.keptBytes() + size > bound
        || p.measuredFreeBytes() - paths.reserveOf(p) <= bound + size
        || !NoReaders.none(trashed)) {
      return false;
    }
    of(p).addLast(new Kept(trashed, size));
    p.kept(size);
    keptFiles.increment();
    return true;
  }

  /**
   * Blocking, on a disk thread, as a new upload of {@code p} opens its temp file: moves a kept file
   * to {@code temp} (true; the upload then overwrites it from its first byte and truncates it to
   * its length before its force), or false when none is kept.
   */
  boolean reuseAs(StorePath p, Path temp) {
    if (!enabled) {
      return false;
    }
    Deque<Kept> q = kept.get(p.index);
    for (Kept k; q != null && (k = q.pollFirst()) != null; ) {
      p.kept(-k.bytes());
      p.unconsumed(k.bytes()); // the upload's placement takes its own length (consumed)
      try {
        Files.move(k.file(), temp, StandardCopyOption.ATOMIC_MOVE);
        reusedFiles.increment();
        return true;
      } catch (IOException | RuntimeException gone) {
        FileWriteStream.deleteQuietly(k.file()); // removed by hand, or the move failed: drop it
      }
    }
    return false;
  }

  /**
   * Blocking, on the trash thread after a re-measure: unlinks kept files of {@code p}, oldest
   * first, while the path is short of room for them above its reserve.
   */
  void trim(StorePath p) {
    Deque<Kept> q = kept.get(p.index);
    while (q != null
        && p.keptBytes() > 0
        && p.measuredFreeBytes() - paths.reserveOf(p) <= bound(p)) {
      Kept k = q.pollFirst();
      if (k == null) {
        return;
      }
      p.kept(-k.bytes());
      FileWriteStream.deleteQuietly(k.file());
      try {
        p.refreshSpace();
      } catch (IOException e) {
        return;
      }
    }
  }

  /**
   * Whether anyone has a file open: Linux grants a write lease ({@code F_SETLEASE F_WRLCK}) on a
   * descriptor only when no other descriptor of the file is open, for reading or writing.
   */
  static final class NoReaders {
    private static final int F_SETLEASE = 1024;
    private static final int F_WRLCK = 1;
    private static final int F_UNLCK = 2;
    private static final Libc.Calls LIBC = Libc.calls();

    private NoReaders() {}

    static boolean available() {
      return LIBC != null;
    }

    /** Blocking: true only when nothing else has {@code file} open (false on any doubt). */
    static boolean none(Path file) {
      if (LIBC == null) {
        return false;
      }
      int fd = LIBC.open(file.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
      if (fd < 0) {
        return false;
      }
      try {
        if (LIBC.fcntl(fd, F_SETLEASE, F_WRLCK) != 0) {
          return false;
        }
        LIBC.fcntl(fd, F_SETLEASE, F_UNLCK);
        return true;
      } finally {
        LIBC.close(fd);
      }
    }
  }
}
