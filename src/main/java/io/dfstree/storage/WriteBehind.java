package io.dfstree.storage;

import io.dfstree.storage.os.Libc;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the writeback of bytes just written to a file while the rest of it still arrives (Linux
 * {@code sync_file_range(SYNC_FILE_RANGE_WRITE)}), so that the force at its end finds most of them
 * on their way to the device already. Only a hint: it waits for nothing and makes nothing durable
 * (the file's {@code fdatasync} before it is named still does), and where it is not available
 * (another OS, JNA missing) nothing is started and the force does all the work, as before.
 *
 * <p>Why (benchmark/PROFILE.md, up1m): a 1 MiB upload with fsync in a group of two spent 2.0-2.6 ms
 * in its data force after the last byte, both members forcing 1 MiB at the same moment on one
 * device; the bytes had sat in the page cache for the 2 ms the upload took to arrive. Started
 * behind each 256 KiB batch, the force after the last byte took 0.9 ms (two processes on this
 * machine, 1 MiB over 2 ms each).
 */
final class WriteBehind {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);
  private static final int SYNC_FILE_RANGE_WRITE = 2;
  private static final Libc.Calls LIBC = load();
  private static volatile boolean failed;

  private WriteBehind() {}

  private static Libc.Calls load() {
    Libc.Calls calls = Libc.calls();
    if (calls == null && !"not Linux".equals(Libc.whyUnavailable())) {
      LOG.info("write-behind unavailable ({}): forces write whole files", Libc.whyUnavailable());
    }
    return calls;
  }

  static boolean available() {
    return LIBC != null && !failed;
  }

  /**
   * Blocking: a descriptor of {@code file} to start writebacks on ({@link #start}), or -1 when
   * unavailable. The page cache is the file's, so any descriptor of it will do.
   */
  static int open(Path file) {
    if (!available()) {
      return -1;
    }
    int fd = LIBC.open(file.toString(), Libc.O_WRONLY | Libc.O_CLOEXEC);
    return fd < 0 ? -1 : fd;
  }

  /**
   * Blocking: starts writing {@code [offset, offset + length)} of the file behind {@code fd} to the
   * device, without waiting for it. True when the kernel took it.
   */
  static boolean start(int fd, long offset, long length) {
    if (fd < 0 || length <= 0 || !available()) {
      return false;
    }
    if (LIBC.sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE) != 0) {
      int errno = Libc.lastError();
      if (errno == 38 || errno == 22) { // ENOSYS, EINVAL: not on this kernel or filesystem
        failed = true;
        LOG.info("write-behind not supported here (errno {}): forces write whole files", errno);
      }
      return false;
    }
    return true;
  }

  /** Blocking: closes a descriptor from {@link #open} (-1: nothing). */
  static void close(int fd) {
    if (fd >= 0 && LIBC != null) {
      LIBC.close(fd);
    }
  }
}
