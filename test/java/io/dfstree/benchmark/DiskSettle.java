package io.dfstree.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lets the page cache's dirty pages reach the disk before a system starts and before each block of
 * measured phases, so that no system pays for another's writes.
 *
 * <p>Why: FastDFS writes without fsync and leaves its files dirty in the page cache; the kernel
 * flushes them up to 30 s later, while whatever runs next forces its own writes on the same disk.
 * In session 12's runs the system measured right after FastDFS was the slower one in every run
 * (four positions of two jars in one run: group c=16 upload 0.47, 0.55, 0.70, 0.77× FastDFS;
 * benchmark/PROFILE.md, "Session 12 lead"). A system's own dirty pages still count against it
 * within a block (FastDFS's uploads are flushed during its own downloads and deletes).
 */
final class DiskSettle {
  /** Dirty plus writeback at or below this is settled (the kernel keeps a few MiB dirty). */
  static final long SETTLED_BYTES = 8L << 20;

  private DiskSettle() {}

  /** Dirty + Writeback of {@code /proc/meminfo}'s text, in bytes. */
  static long unwrittenBytes(String meminfo) {
    long kib = 0;
    boolean seen = false;
    for (String line : meminfo.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && (f[0].equals("Dirty:") || f[0].equals("Writeback:"))) {
        kib += Long.parseLong(f[1]);
        seen = true;
      }
    }
    if (!seen) {
      throw new IllegalArgumentException("no Dirty: or Writeback: line in meminfo");
    }
    return kib << 10;
  }

  /**
   * Runs {@code sync} (every file system, waits for it) and then waits until dirty + writeback is
   * at most {@link #SETTLED_BYTES} or {@code maxSeconds} passed (0: does nothing). Returns the line
   * to log.
   */
  static String settle(double maxSeconds) throws IOException, InterruptedException {
    if (maxSeconds <= 0) {
      return "disk not settled (--settle-max 0)";
    }
    long before = unwrittenBytes(Files.readString(Path.of("/proc/meminfo")));
    long t0 = System.nanoTime();
    Process sync = new ProcessBuilder("sync").inheritIO().start();
    sync.waitFor();
    long deadline = t0 + (long) (maxSeconds * 1e9);
    long now = unwrittenBytes(Files.readString(Path.of("/proc/meminfo")));
    while (now > SETTLED_BYTES && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = unwrittenBytes(Files.readString(Path.of("/proc/meminfo")));
    }
    return String.format(
        "disk settled: dirty+writeback %.1f MiB -> %.1f MiB in %.1f s%s",
        before / 1048576.0,
        now / 1048576.0,
        (System.nanoTime() - t0) / 1e9,
        now > SETTLED_BYTES ? " (NOT settled: time bound reached)" : "");
  }
}
