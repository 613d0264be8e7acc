package io.dfstree.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;

/**
 * The fixed part of every official-client operation, alone: a group of ours and FastDFS's group up
 * at once, and the official client 1.27 asking QUERY_FETCH and QUERY_UPDATE for a stored file, one
 * at a time on a kept tracker connection, as its demo does before every download and delete. That
 * client connects to the storage the answer names inside the query call (its {@code StorageServer}
 * opens the socket); here that connection is closed at once instead of carrying a request. So each
 * "query" is a tracker round trip plus a storage connection's accept, set-up and close: what an
 * official-client row pays besides its request. Printed per block of queries and per system: rate,
 * p50/p99, every server process's CPU per query from its threads' nanoseconds (by thread kind), and
 * user/system time per process. Block 0 is a warm-up. Not a test.
 *
 * <p>{@code java -cp target/test-classes:target/classes:$(cat target/peer-bench.classpath)
 * io.dfstree.benchmark.TrackerQueryCost JAR [queries per block, 20000] [blocks, 3]
 * [query|download|split-query|split-download]} (the class path file is the one {@code
 * benchmark/fastdfs-compare.sh} writes), under the bench lock. {@code download}: each query's
 * storage connection carries a download of the stored 4 KiB file before it is closed, which is the
 * official client's whole c=1 download. {@code split-query} and {@code split-download} are the
 * benchmark's split client instead ({@link BenchClient.SplitWrites}): a new tracker connection per
 * query, header and body in two writes, and for {@code split-download} a new storage connection
 * carrying the download. With {@code PERF_TRACE=DIR} the last block of each system runs under
 * {@code perf trace -s} attached to its server processes, and {@code DIR/<system>.txt} gets the
 * system calls per thread (divide by the block's count for calls per operation). {@code
 * DL_SIZE=BYTES} sets the stored file's size (4096 unless set), {@code DL_FILES=N} how many such
 * files are stored and asked for in turn (1), {@code SERVER_JVM="OPTS"} our servers' JVM options
 * ({@code -Xmx512m}).
 */
public final class TrackerQueryCost {
  private TrackerQueryCost() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int blocks = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String mode = args.length > 3 ? args[3] : "query";
    if (!List.of("query", "download", "split-query", "split-download").contains(mode)) {
      throw new IllegalArgumentException(
          "mode " + mode + ": query, download, split-query or split-download");
    }
    String traceDir = System.getenv("PERF_TRACE");
    int size = Integer.parseInt(System.getenv().getOrDefault("DL_SIZE", "4096"));
    List<SystemUnderTest> all = new ArrayList<>();
    try {
      all.add(new SystemUnderTest.FastDfs(Path.of("../shared/fastdfs-peer/fastdfs-peer"), true));
      String jfr = System.getenv("JFR_DIR");
      all.add(
          new SystemUnderTest.Ours(
              "ours",
              null,
              jar,
              true,
              true,
              2,
              List.of(System.getenv().getOrDefault("SERVER_JVM", "-Xmx512m").trim().split("\\s+")),
              jfr == null ? null : Path.of(jfr),
              32));
      for (SystemUnderTest sut : all) {
        sut.start(); // returns once its storages are ACTIVE
      }
      Map<String, String[][]> stored = new HashMap<>();
      int files = Integer.parseInt(System.getenv().getOrDefault("DL_FILES", "1"));
      for (SystemUnderTest sut : all) {
        BenchClient.configureOfficial(sut.tracker());
        TrackerClient tc = new TrackerClient();
        TrackerServer ts = tc.getConnection();
        StorageClient sc = new StorageClient(ts, null);
        String[][] ids = new String[files][];
        java.util.Random rnd = new java.util.Random(1);
        for (int f = 0; f < files; f++) {
          byte[] data = new byte[size];
          rnd.nextBytes(data);
          ids[f] = sc.upload_file(data, "bin", null);
        }
        stored.put(sut.name, ids);
        ts.close();
      }
      for (int b = 0; b <= blocks; b++) {
        for (SystemUnderTest sut : all) {
          Path trace =
              traceDir != null && b == blocks ? Path.of(traceDir, sut.name + ".txt") : null;
          run(sut, stored.get(sut.name), n, b == 0, mode, size, trace);
        }
      }
    } finally {
      for (SystemUnderTest sut : all) {
        sut.close();
      }
    }
  }

  private static void run(
      SystemUnderTest sut, String[][] ids, int n, boolean warmup, String mode, int size, Path trace)
      throws Exception {
    BenchClient.configureOfficial(sut.tracker());
    TrackerClient tc = new TrackerClient();
    TrackerServer ts = tc.getConnection();
    List<Long> pids = sut.serverPids();
    Map<Long, Long> before = ServerCpu.threadNanos(pids);
    long[] userSys0 = userSys(pids);
    Map<Long, String> kinds = ServerCpu.threadKinds(pids, sut.serverLabels());
    long[] lat = new long[n];
    BenchClient.SplitWrites split = new BenchClient.SplitWrites(sut.tracker());
    Process perf = trace == null ? null : startTrace(pids, trace);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      String[] id = ids[i % ids.length];
      if (mode.startsWith("split-")) {
        if (mode.equals("split-download")) {
          byte[] got = split.download(id[0], id[1]);
          if (got.length != size) {
            throw new IllegalStateException(sut.name + ": download of " + got.length + " bytes");
          }
        } else {
          split.ask(
              BenchClient.SplitWrites.TRACKER_QUERY_FETCH,
              BenchClient.SplitWrites.groupAndName(id[0], id[1]));
        }
        lat[i] = System.nanoTime() - s;
        continue;
      }
      // client 1.27 connects to the storage it names inside the query call; the demo's operation
      // would then send its request on it and close it: here it is closed at once
      org.csource.fastdfs.StorageServer r =
          (i & 1) == 0
              ? tc.getFetchStorage(ts, id[0], id[1])
              : tc.getUpdateStorage(ts, id[0], id[1]);
      if (r == null) {
        throw new IllegalStateException(sut.name + ": query failed, errno " + tc.getErrorCode());
      }
      if (mode.equals("download")) {
        byte[] got = new StorageClient(ts, r).download_file(id[0], id[1]);
        if (got == null || got.length != size) {
          throw new IllegalStateException(
              sut.name + ": download failed, errno " + tc.getErrorCode());
        }
      }
      r.close();
      lat[i] = System.nanoTime() - s;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (perf != null) {
      stopTrace(perf);
    }
    Map<Long, Long> after = ServerCpu.threadNanos(pids);
    long[] userSys1 = userSys(pids);
    ts.close();
    if (warmup) {
      return;
    }
    Arrays.sort(lat);
    Map<String, Long> byKind = new HashMap<>();
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      byKind.merge(kinds.getOrDefault(e.getKey(), "?"), Math.max(0, d), Long::sum);
    }
    long total = ServerCpu.nanosSince(before, after);
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-8s %6d queries %6.0f/s p50 %5.1f us p99 %6.1f us; server CPU %6.1f us/query:",
                sut.name,
                n,
                n / seconds,
                lat[n / 2] / 1e3,
                lat[(int) (n * 0.99)] / 1e3,
                total / 1e3 / n));
    byKind.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(8)
        .forEach(
            e ->
                b.append(
                    String.format(Locale.ROOT, " %s %.1f;", e.getKey(), e.getValue() / 1e3 / n)));
    b.append(" | user/system us/query (ticks):");
    List<String> labels = sut.serverLabels();
    for (int i = 0; i < pids.size(); i++) {
      b.append(
          String.format(
              Locale.ROOT,
              " %s %.1f/%.1f",
              labels.get(i),
              (userSys1[2 * i] - userSys0[2 * i]) * 10_000.0 / n,
              (userSys1[2 * i + 1] - userSys0[2 * i + 1]) * 10_000.0 / n));
    }
    System.out.println(b);
  }

  /** {@code perf trace -s} on {@code pids}, summary to {@code out}; returns once it is attached. */
  private static Process startTrace(List<Long> pids, Path out) throws Exception {
    java.nio.file.Files.createDirectories(out.getParent());
    String list = String.join(",", pids.stream().map(String::valueOf).toList());
    Process p =
        new ProcessBuilder("perf", "trace", "-s", "-p", list, "-o", out.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Thread.sleep(2000); // attaching to every thread of three JVMs takes a moment
    return p;
  }

  /** SIGINT makes {@code perf trace} print its summary and exit. */
  private static void stopTrace(Process perf) throws Exception {
    new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
    if (!perf.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      perf.destroyForcibly();
    }
  }

  /** utime and stime ticks of each of {@code pids}: [user0, system0, user1, ...]. */
  private static long[] userSys(List<Long> pids) throws Exception {
    long[] out = new long[2 * pids.size()];
    for (int i = 0; i < pids.size(); i++) {
      long[] us =
          ServerCpu.userSystemTicks(
              java.nio.file.Files.readString(Path.of("/proc", Long.toString(pids.get(i)), "stat")));
      out[2 * i] = us[0];
      out[2 * i + 1] = us[1];
    }
    return out;
  }
}
