package io.dfstree.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The block devices' I/O counters ({@code /sys/block/<dev>/stat}, loop, ram and zram devices left
 * out), summed, and what they did between two log lines: writes, discards, flushes and how long the
 * device was busy.
 *
 * <p>Why: a system's position in a sequential run mattered (session 23), and one suspect is what
 * the previous system left behind. {@code /} is mounted with {@code discard} here, so removing a
 * stopped system's data directory queues discards that may still run when the next one forces its
 * writes; these lines show whether they do.
 */
record BlockStat(
    long nanos,
    long writes,
    long writeSectors,
    long writeMillis,
    long discards,
    long discardSectors,
    long discardMillis,
    long flushes,
    long flushMillis,
    long busyMillis) {

  /**
   * Adds one {@code stat} file's line to {@code sum} (kernels before 4.18 have no discard fields,
   * before 5.5 no flush fields: zero then).
   */
  static BlockStat add(BlockStat sum, String statLine) {
    String[] f = statLine.trim().split("\\s+");
    if (f.length < 11) {
      throw new IllegalArgumentException("not a block stat line: " + statLine);
    }
    return new BlockStat(
        sum.nanos,
        sum.writes + field(f, 4),
        sum.writeSectors + field(f, 6),
        sum.writeMillis + field(f, 7),
        sum.discards + field(f, 11),
        sum.discardSectors + field(f, 13),
        sum.discardMillis + field(f, 14),
        sum.flushes + field(f, 15),
        sum.flushMillis + field(f, 16),
        sum.busyMillis + field(f, 9));
  }

  private static long field(String[] f, int i) {
    return i < f.length ? Long.parseLong(f[i]) : 0;
  }

  static BlockStat zero(long nanos) {
    return new BlockStat(nanos, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** The counters now; null where /sys/block cannot be read. */
  static BlockStat read() {
    BlockStat sum = zero(System.nanoTime());
    try (Stream<Path> devs = Files.list(Path.of("/sys/block"))) {
      for (Path dev : devs.toList()) {
        String name = dev.getFileName().toString();
        if (name.startsWith("loop") || name.startsWith("ram") || name.startsWith("zram")) {
          continue;
        }
        sum = add(sum, Files.readString(dev.resolve("stat")));
      }
      return sum;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** What the disk did from {@code before} to this reading, as a log line. */
  String since(BlockStat before) {
    double seconds = Math.max(1e-3, (nanos - before.nanos) / 1e9);
    return String.format(
        Locale.ROOT,
        "disk over the last %.0f s: writes %d (%.1f MiB, %d ms), discards %d (%.1f MiB, %d ms),"
            + " flushes %d (%d ms), busy %.0f%%",
        seconds,
        writes - before.writes,
        (writeSectors - before.writeSectors) / 2048.0,
        writeMillis - before.writeMillis,
        discards - before.discards,
        (discardSectors - before.discardSectors) / 2048.0,
        discardMillis - before.discardMillis,
        flushes - before.flushes,
        flushMillis - before.flushMillis,
        100.0 * (busyMillis - before.busyMillis) / 1000.0 / seconds);
  }

  /**
   * What the block devices did per operation of a measured phase (and its tail): requests written,
   * cache flushes and the time they took (the kernel's flush time, whole milliseconds summed over
   * the phase), and how long a device had other requests in flight ({@code io_ticks}, which leaves
   * the flushes out). Why: with fsync on, each acknowledged operation waits for
   * a write and a flush FastDFS never issues, and how long those take on this shared host drifts by
   * the hour (benchmark/PROFILE.md, session 26 lead); a row whose device was busy most of the time
   * its client waited is the device's, not the server's code.
   */
  record PerOp(double writes, double flushes, double flushMicros, double busyMicros) {
    /** The row's line under the table row. */
    String describe() {
      return String.format(
          Locale.ROOT,
          "    disk per op: writes %.2f, flushes %.2f (%.0f us), busy %.0f us",
          writes,
          flushes,
          flushMicros,
          busyMicros);
    }
  }

  /** Per operation from {@code before} to this reading; null without a reading or operations. */
  PerOp perOp(BlockStat before, long ops) {
    if (before == null || ops <= 0) {
      return null;
    }
    return new PerOp(
        (double) (writes - before.writes) / ops,
        (double) (flushes - before.flushes) / ops,
        (flushMillis - before.flushMillis) * 1000.0 / ops,
        (busyMillis - before.busyMillis) * 1000.0 / ops);
  }

  private static BlockStat last;

  /** What the disk did since the previous call (the first call: since this JVM read it first). */
  static synchronized String sinceLast() {
    BlockStat now = read();
    if (now == null) {
      return "disk counters unreadable";
    }
    String line = last == null ? "disk counters start" : now.since(last);
    last = now;
    return line;
  }
}
