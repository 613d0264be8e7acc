package io.dfstree.benchmark;

import io.dfstree.client.FdfsClient;
import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.client.StorageAddress;
import io.dfstree.client.StorageSession;
import io.dfstree.client.StoredFile;
import io.dfstree.client.TrackerSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Large downloads with the benchmark's pooled client (our {@code FdfsClient}, 64 KiB reads):
 * FastDFS and ours (W=1, no fsync) up at once, one stored file of the given size (or FILES of them,
 * in turn) downloaded again and again over one kept storage connection, into a {@code
 * ByteArrayOutputStream} as the benchmark does ("baos") and into a null sink; per block and system
 * the rate, p50/p90, every server thread's CPU per download and this client JVM's own CPU per
 * download. Block 0 is a warm-up. Showed that the client spends 40-80% more CPU receiving an 8 or
 * 32 MiB file from ours (sendfile) than from FastDFS (read + write) on one host
 * (benchmark/PROFILE.md, session 31). Not a test.
 *
 * <p>{@code java -cp target/test-classes:target/classes:$(cat target/peer-bench.classpath)
 * io.dfstree.benchmark.BigDownloadProbe JAR SIZE DOWNLOADS BLOCKS [single|group] [FILES]} under the
 * bench lock; {@code TRACE=DIR}: the last block of each system and sink runs under {@code perf
 * trace -s} attached to the servers and this client.
 */
public final class BigDownloadProbe {
  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    int blocks = Integer.parseInt(args[3]);
    boolean group = args.length > 4 && args[4].equals("group");
    int files = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    List<SystemUnderTest> all = new ArrayList<>();
    all.add(new SystemUnderTest.FastDfs(Path.of("../shared/fastdfs-peer/fastdfs-peer"), group));
    all.add(
        new SystemUnderTest.Ours(
            "ours", null, jar, group, false, 1, List.of("-Xmx512m"), null, 32));
    try {
      for (SystemUnderTest s : all) {
        s.start();
      }
      byte[] data = new byte[size];
      new java.util.Random(7).nextBytes(data);
      String[][][] ids = new String[all.size()][files][];
      for (int i = 0; i < all.size(); i++) {
        FdfsClient c = client(all.get(i));
        try (TrackerSession t = c.openTracker()) {
          StorageAddress a = t.queryStore(null);
          try (StorageSession s = c.openStorage(a)) {
            for (int f = 0; f < files; f++) {
              data[0] = (byte) f; // a file of its own each, not one the server may share
              StoredFile stored =
                  s.upload(a.storePathIndex(), new ByteArrayInputStream(data), size, "bin");
              ids[i][f] = new String[] {stored.group(), stored.remoteName()};
            }
          }
        }
      }
      Thread.sleep(3000);
      for (int b = 0; b < blocks; b++) {
        for (String sink : List.of("baos", "discard")) {
          for (int i = 0; i < all.size(); i++) {
            String dir = System.getenv("TRACE");
            Path trace =
                dir != null && b == blocks - 1
                    ? Path.of(dir, all.get(i).name + "-" + sink + ".txt")
                    : null;
            run(all.get(i), ids[i], n, sink, b == 0, trace);
          }
        }
      }
    } finally {
      for (SystemUnderTest s : all) {
        s.close();
      }
    }
  }

  static FdfsClient client(SystemUnderTest s) {
    return new FdfsClient(
        new FdfsClientOptions(
            List.of(ServerAddress.parse(s.tracker(), ServerAddress.DEFAULT_TRACKER_PORT)),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30)));
  }

  static void run(SystemUnderTest sut, String[][] ids, int n, String sink, boolean warm, Path trace)
      throws Exception {
    FdfsClient c = client(sut);
    List<Long> pids = sut.serverPids();
    long[] lat = new long[n];
    try (TrackerSession t = c.openTracker()) {
      StorageAddress a = t.queryFetch(ids[0][0], ids[0][1]);
      try (StorageSession s = c.openStorage(a)) {
        Process perf = null;
        if (trace != null) {
          java.nio.file.Files.createDirectories(trace.getParent());
          List<String> all = new ArrayList<>();
          pids.forEach(p -> all.add(String.valueOf(p)));
          all.add(String.valueOf(ProcessHandle.current().pid()));
          perf =
              new ProcessBuilder(
                      "perf", "trace", "-s", "-p", String.join(",", all), "-o", trace.toString())
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          Thread.sleep(2000);
        }
        Map<Long, Long> before = ServerCpu.threadNanos(pids);
        long cpu0 = ProcessHandleCpu.self();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long st = System.nanoTime();
          OutputStream out =
              sink.equals("baos") ? new ByteArrayOutputStream() : OutputStream.nullOutputStream();
          String[] id = ids[i % ids.length];
          s.download(id[0], id[1], 0, 0, out);
          lat[i] = System.nanoTime() - st;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu1 = ProcessHandleCpu.self();
        Map<Long, Long> after = ServerCpu.threadNanos(pids);
        if (perf != null) {
          new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
          perf.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        if (warm) {
          return;
        }
        Arrays.sort(lat);
        System.out.printf(
            Locale.ROOT,
            "%-8s %-8s %5d of %d files: %7.1f/s p50 %7.2f ms p90 %7.2f ms; server CPU %7.1f us/op;"
                + " client CPU %7.1f us/op%n",
            sut.name,
            sink,
            n,
            ids.length,
            n / secs,
            lat[n / 2] / 1e6,
            lat[(int) (n * 0.9)] / 1e6,
            ServerCpu.nanosSince(before, after) / 1e3 / n,
            (cpu1 - cpu0) / 1e3 / n);
      }
    }
  }

  /** This JVM's CPU nanoseconds (all threads). */
  static final class ProcessHandleCpu {
    static long self() {
      return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
    }
  }
}
