package io.dfstree.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Not a test: prints the time of one forced binlog append (append + fdatasync, one thread), as a
 * c=1 delete pays it. {@code java -cp target/classes:target/test-classes:<deps>
 * io.dfstree.storage.BinlogForceBench [appends] [dir] [zeroAhead]}; zeroAhead -1 (default) opens
 * the binlog as a storage with fsync on does, 0 appends only, n writes n bytes of zeros ahead.
 */
public final class BinlogForceBench {
  private BinlogForceBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path dir =
        args.length > 1
            ? Files.createTempDirectory(Path.of(args[1]), "blb")
            : Files.createTempDirectory("blb");
    long zeroAhead = args.length > 2 ? Long.parseLong(args[2]) : -1;
    Path file = dir.resolve("binlog");
    Binlog log;
    try { // the class of this branch: zeros ahead (-1: as a storage with fsync opens it)
      log =
          zeroAhead < 0
              ? Binlog.class
                  .getDeclaredConstructor(Path.class, long.class, boolean.class)
                  .newInstance(file, Binlog.NO_ROTATION, true)
              : Binlog.class
                  .getDeclaredConstructor(Path.class, long.class, long.class)
                  .newInstance(file, Binlog.NO_ROTATION, zeroAhead);
    } catch (NoSuchMethodException old) { // an older class: appends only
      log = new Binlog(file, Binlog.NO_ROTATION);
    }
    String name = "group1/M00/00/00/wKgAAWYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg";
    long[] t = new long[n];
    for (int i = -200; i < n; i++) { // 200 warm-up appends
      long s = System.nanoTime();
      log.append(System.currentTimeMillis() / 1000, Binlog.DELETE, name, null, true);
      long d = System.nanoTime() - s;
      if (i >= 0) {
        t[i] = d;
      }
    }
    long[] sorted = t.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(t).average().orElse(0) / 1000;
    System.out.printf(
        "appends %d  p50 %d us  p90 %d us  p99 %d us  max %d us  mean %.0f us  file %d bytes,"
            + " logical %d%n",
        n,
        sorted[n / 2] / 1000,
        sorted[n * 9 / 10] / 1000,
        sorted[n * 99 / 100] / 1000,
        sorted[n - 1] / 1000,
        mean,
        Files.size(file),
        log.size());
    log.close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
  }
}
