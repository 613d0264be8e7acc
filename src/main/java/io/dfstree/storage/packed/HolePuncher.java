package io.dfstree.storage.packed;

import io.dfstree.storage.os.Libc;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the blocks of a byte range back to the filesystem while the file keeps its size ({@code
 * fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)}, Linux; ext4, XFS, btrfs, tmpfs). The
 * range then reads as zeros. Where that is not available (another OS, a filesystem without hole
 * punching, JNA missing) {@link #available()} is false and compaction reclaims nothing.
 */
final class HolePuncher {
  private static final Logger LOG = LoggerFactory.getLogger(HolePuncher.class);
  static final int BLOCK = 4096;
  private static final int PUNCH_HOLE_KEEP_SIZE = 0x02 | 0x01;
  private static final Libc.Calls LIBC = load();
  private volatile boolean unsupported;

  private static Libc.Calls load() {
    Libc.Calls calls = Libc.calls();
    if (calls == null && !"not Linux".equals(Libc.whyUnavailable())) {
      LOG.warn(
          "packed volumes: hole punching unavailable ({}); compaction will not reclaim space",
          Libc.whyUnavailable());
    }
    return calls;
  }

  boolean available() {
    return LIBC != null && !unsupported;
  }

  /**
   * Punches {@code [from, to)} rounded inwards to whole blocks; returns the bytes punched (0 when
   * the range holds no whole block or punching is unavailable).
   */
  long punch(Path file, long from, long to) throws IOException {
    long start = (from + BLOCK - 1) / BLOCK * BLOCK;
    long end = to / BLOCK * BLOCK;
    if (end <= start || !available()) {
      return 0;
    }
    int fd = LIBC.open(file.toString(), Libc.O_WRONLY);
    if (fd < 0) {
      throw new IOException("open " + file + " for hole punching: errno " + Libc.lastError());
    }
    try {
      if (LIBC.fallocate(fd, PUNCH_HOLE_KEEP_SIZE, start, end - start) != 0) {
        int errno = Libc.lastError();
        if (errno == 95) { // EOPNOTSUPP: this filesystem cannot
          unsupported = true;
          LOG.warn(
              "packed volumes: {} does not support hole punching; compaction will not reclaim space",
              file);
          return 0;
        }
        throw new IOException("fallocate punch " + file + ": errno " + errno);
      }
    } finally {
      LIBC.close(fd);
    }
    return end - start;
  }
}
