package io.dfstree.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Ours against the real FastDFS, side by side on this machine: see benchmark/fastdfs-compare.sh,
 * which builds the class path and runs this. For each topology (single node, group of two) it
 * starts FastDFS, then ours with defaults (W=2, fsync), then ours with W=1 and no fsync, one after
 * the other; against each it runs upload, download (every byte checked) and delete phases for every
 * client kind, concurrency and size, and measures the server processes' CPU over each phase. Every
 * phase is bounded in count and in time.
 */
public final class PeerBench {
  /** Storages in the group topology (FastDFS's and ours): two. */
  static final int GROUP_STORAGES = 2;

  /**
   * Warm-up files for a topology: {@code perStorage} for each storage JVM the tracker spreads them
   * over.
   */
  static int warmupFiles(int perStorage, boolean group) {
    return perStorage * (group ? GROUP_STORAGES : 1);
  }

  private PeerBench() {}

  public static void main(String[] args) throws Exception {
    BenchSettings s;
    try {
      s = BenchSettings.parse(args);
    } catch (RuntimeException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    ResultTable table = new ResultTable();
    System.out.printf(
        "peer bench: %d cores, %s; systems %s, topologies %s, clients %s, c %s, sizes %s, "
            + "max %.0f s per phase%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        s.systems,
        s.topologies,
        s.clients,
        s.concurrencies,
        s.sizes.stream().map(ResultTable::size).toList(),
        s.maxSeconds);
    System.out.println(
        "load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim());
    if (s.rounds > 1 && !RoundSchedule.positionsBalanced(s.systems.size(), s.rounds)) {
      System.out.printf(
          "note: %d rounds of %d systems do not put each system in each position equally often;"
              + " use a multiple of %d (2x it also balances who runs after whom)%n",
          s.rounds, s.systems.size(), s.systems.size());
    }
    dumpDir = s.dumpLatencies;
    if (s.jfr != null) {
      printWindows = true;
      Files.createDirectories(s.jfr);
    }
    table.mode(s.interleave ? ResultTable.INTERLEAVED : ResultTable.SEQUENTIAL);
    log(
        "mode: %s",
        s.interleave
            ? "interleaved (all systems up at once; each row measured for every system, rotated,"
                + " --rounds times, before the next row)"
            : "sequential (one system at a time, all its rows, then the next system)");
    long runStart = System.nanoTime();
    for (String topology : s.topologies) {
      if (s.interleave) {
        runInterleaved(s, topology, table);
      } else {
        runSequential(s, topology, table);
      }
    }
    log(
        "all topologies measured in %.0f s (%s)",
        (System.nanoTime() - runStart) / 1e9, table.mode());
    System.out.println();
    System.out.println("load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    System.out.println(
        "ratios to FastDFS for the same row: x ops (above 1 = faster), x p50 and x cpu (below 1 = better);");
    System.out.println(
        "cpu us/op = utime+stime of every server process over the phase / operations");
    System.out.println(
        "ours = defaults (W=2, fsync on); ours-w1 = W=1, fsync off; FastDFS: async replication, no fsync");
    System.out.println("mode: " + table.mode());
    System.out.print(table.format());
    String flushes = table.deviceFlushSummary();
    if (flushes != null) {
      System.out.println(flushes);
    }
    if (!stolenRows.isEmpty()) {
      System.out.printf(
          "rows measured while the host stole >= %.0f%% of the machine (slower, more CPU per op"
              + " in every thread; compare rounds with care):%n",
          STEAL_NOTE_PERCENT);
      stolenRows.forEach(r -> System.out.println("  " + r));
    }
    if (s.out != null) {
      Files.writeString(s.out, table.tsv());
      System.out.println("rows also in " + s.out);
    }
  }

  /** One system after the other: start, warm, measure every row, stop; then the next. */
  private static void runSequential(BenchSettings s, String topology, ResultTable table)
      throws Exception {
    boolean group = topology.equals("group");
    for (int round = 1; round <= s.rounds; round++) {
      table.round(round);
      if (s.rounds > 1) {
        log("%s: round %d of %d", topology, round, s.rounds);
      }
      for (String name : RoundSchedule.roundOrder(s.systems, round)) {
        SystemUnderTest sut = newSystem(s, name, group);
        log("%s %s: %s", topology, name, DiskSettle.settle(s.settleSeconds));
        log("%s %s: starting", topology, name);
        try (sut) {
          startAndWarm(s, sut, topology);
          idle(sut);
          for (RoundSchedule.RowSpec row : RoundSchedule.rows(s)) {
            measure(s, sut, row, table, topology);
          }
        } catch (Exception e) {
          log("%s %s: FAILED: %s", topology, name, e);
        }
        log("%s %s: stopped; %s", topology, name, BlockStat.sinceLast());
      }
    }
  }

  /**
   * Every system up at once, each warmed as in the sequential mode; then for each row, {@code
   * --rounds} times, that row's phases for every system in the round's order ({@link
   * #interleavedTurns}): the same row of two systems is measured seconds apart, and no system
   * starts, stops or has its data removed between two measurements.
   */
  private static void runInterleaved(BenchSettings s, String topology, ResultTable table)
      throws Exception {
    boolean group = topology.equals("group");
    List<SystemUnderTest> started = new ArrayList<>();
    try {
      Map<String, SystemUnderTest> byName = new LinkedHashMap<>();
      for (String name : s.systems) {
        SystemUnderTest sut = newSystem(s, name, group);
        started.add(sut);
        byName.put(name, sut);
        log("%s %s: %s", topology, name, DiskSettle.settle(s.settleSeconds));
        log("%s %s: starting", topology, name);
        startAndWarm(s, sut, topology);
      }
      for (SystemUnderTest sut : started) {
        log("%s %s: %s", topology, sut.name, DiskSettle.settle(s.settleSeconds));
        idle(sut);
      }
      List<RoundSchedule.RowSpec> rows = RoundSchedule.rows(s);
      Map<String, Long> othersTicks = new LinkedHashMap<>();
      Map<String, Double> othersSeconds = new LinkedHashMap<>();
      for (RoundSchedule.Turn turn :
          RoundSchedule.interleavedTurns(s.systems, rows.size(), s.rounds)) {
        RoundSchedule.RowSpec row = rows.get(turn.row());
        SystemUnderTest sut = byName.get(turn.system());
        table.round(turn.round());
        if (turn.system().equals(RoundSchedule.roundOrder(s.systems, turn.round()).get(0))) {
          log(
              "%s %s c=%d %s: round %d of %d, order %s",
              topology,
              row.kind().label,
              row.concurrency(),
              ResultTable.size(row.size()),
              turn.round(),
              s.rounds,
              RoundSchedule.roundOrder(s.systems, turn.round()));
        }
        // the systems not measured sit idle beside it: their CPU is shown, not charged
        Map<String, Long> idle0 = new LinkedHashMap<>();
        for (SystemUnderTest other : started) {
          if (other != sut) {
            idle0.put(other.name, ServerCpu.ticks(other.serverPids()));
          }
        }
        long t0 = System.nanoTime();
        try {
          measure(s, sut, row, table, topology);
        } catch (Exception e) {
          log("%s %s: FAILED in %s: %s", topology, sut.name, row, e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder b = new StringBuilder("    idle beside it, server CPU ms/s:");
        for (SystemUnderTest other : started) {
          if (other != sut) {
            long ticks = ServerCpu.ticks(other.serverPids()) - idle0.get(other.name);
            othersTicks.merge(other.name, ticks, Long::sum);
            othersSeconds.merge(other.name, seconds, Double::sum);
            b.append(
                String.format(
                    java.util.Locale.ROOT,
                    " %s %.0f;",
                    other.name,
                    ticks * 1000.0 / ServerCpu.TICKS_PER_SECOND / seconds));
          }
        }
        System.out.println(b);
      }
      StringBuilder b = new StringBuilder();
      othersTicks.forEach(
          (name, ticks) ->
              b.append(
                  String.format(
                      java.util.Locale.ROOT,
                      " %s %.0f ms/s over %.0f s;",
                      name,
                      ticks * 1000.0 / ServerCpu.TICKS_PER_SECOND / othersSeconds.get(name),
                      othersSeconds.get(name))));
      log("%s: server CPU of each system while another was measured:%s", topology, b);
    } catch (Exception e) {
      log("%s: FAILED: %s", topology, e);
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        SystemUnderTest sut = started.get(i);
        try {
          sut.close();
        } catch (Exception e) {
          log("%s %s: stop failed: %s", topology, sut.name, e);
        }
        log("%s %s: stopped; %s", topology, sut.name, BlockStat.sinceLast());
      }
    }
  }

  /** The system a name stands for (not started). */
  private static SystemUnderTest newSystem(BenchSettings s, String name, boolean group)
      throws IOException {
    String plain = BenchSettings.withoutStoreSuffix(name);
    String key = plain.replaceFirst("-w1$", "");
    Path named = s.namedJars.get(key);
    Path jar = named != null ? named : name.startsWith("base") ? s.baselineJar : s.jar;
    List<String> jvm = new ArrayList<>(s.serverJvm);
    jvm.addAll(s.namedJvm.getOrDefault(key, List.of()));
    Path java = s.namedJava.get(key);
    if (named != null || s.namedJvm.containsKey(key) || java != null) {
      plain = plain.endsWith("-w1") ? "ours-w1" : "ours";
    }
    SystemUnderTest sut =
        switch (plain) {
          case "fastdfs" -> new SystemUnderTest.FastDfs(s.peerScript, group);
          case "ours", "base" ->
              new SystemUnderTest.Ours(name, java, jar, group, true, 2, jvm, s.jfr, s.subdirs);
          default ->
              new SystemUnderTest.Ours(name, java, jar, group, false, 1, jvm, s.jfr, s.subdirs);
        };
    if (sut instanceof SystemUnderTest.Ours ours) {
      List<String> sets = new ArrayList<>(s.storageSets);
      sets.addAll(BenchSettings.suffixSettings(name));
      ours.storageSets(sets);
      ours.jfrSettings(s.jfrSettings);
    }
    return sut;
  }

  /** Starts {@code sut} and runs its unmeasured warm-up; ends with its disk settled. */
  private static void startAndWarm(BenchSettings s, SystemUnderTest sut, String topology)
      throws Exception {
    boolean group = topology.equals("group");
    sut.start();
    log(
        "%s %s: ready at tracker %s, server pids %s",
        topology, sut.name, sut.tracker(), sut.serverPids());
    BenchClient.configureOfficial(sut.tracker());
    // unmeasured warm-up with every client kind measured: each exercises other server code
    // (a connection per operation: accept and close paths), and the JIT must be done first.
    // The tracker spreads the warm-up over the group's storages, each a JVM with its own JIT:
    // each gets as many files as a single node does, or the group is measured colder. With
    // 400 files shared by two storages (load ~30, 2 cores) the group's c=1 upload p50 was
    // 6.8-10.9 ms against 3.0 ms single; with 2,500 per storage 1.18 against 1.23 ms
    // (benchmark/PROFILE.md, "The group's c=1 latency").
    for (WarmPass p : warmupPasses(s, group)) {
      runPhases(s, sut, p.kind(), p.concurrency(), p.size(), p.files(), null, topology);
    }
    untilJitQuiet(s, sut, topology);
    log("%s %s: %s", topology, sut.name, DiskSettle.settle(s.settleSeconds));
  }

  /** One unmeasured warm-up pass: client kind, concurrency, file size and file count. */
  record WarmPass(BenchClient.Kind kind, int concurrency, long size, int files) {}

  /**
   * The fixed part of the warm-up, in order (the JIT-quiet rounds follow it). First, with the JIT
   * on (--jit-quiet-max above 0), one pass per measured size at a measured row's amount (c=1's file
   * count, at most 128 MiB, the first client kind): the 20-file rounds never read a file older than
   * ours' inline-read window (64 MiB), which a 64 KiB row's download does, on a disk thread
   * (benchmark/PROFILE.md, jit26). Then the bulk: 4 KiB at c=4, --warmup files per storage shared
   * by the client kinds. In that order, not the reverse: the bulk is the one pass with enough
   * operations to take a once-per-operation method past the ~5,000 tier-3 calls C2 waits for. Run
   * first, its downloads came while C2 was still backlogged with the upload path and got only C1
   * code, the larger sizes' passes after it trapped what C2 had compiled (the plain-file branch)
   * and the small JIT-quiet rounds left the download path at tier 3: the first measured row
   * (official c=1 4 KiB) had C2 compiling it at 50-90 us/op and ran at 0.66-0.74x FastDFS
   * (benchmark/PROFILE.md, firstrow27). Every system alike.
   */
  static List<WarmPass> warmupPasses(BenchSettings s, boolean group) {
    List<WarmPass> passes = new ArrayList<>();
    if (s.jitQuietMaxSeconds > 0) {
      for (long size : warmupSizes(s.sizes)) {
        passes.add(
            new WarmPass(s.clients.get(0), 1, size, amountPassFiles(size, s.files(size, 1))));
      }
    }
    int warmup = warmupFiles(s.warmup, group);
    for (BenchClient.Kind kind : s.clients) {
      passes.add(new WarmPass(kind, 4, 4096, Math.max(1, warmup / s.clients.size())));
    }
    return passes;
  }

  /** One row's measured phases on {@code sut}, after the disk settled and the host's steal. */
  private static void measure(
      BenchSettings s,
      SystemUnderTest sut,
      RoundSchedule.RowSpec row,
      ResultTable table,
      String topology)
      throws Exception {
    log(
        "%s %s: %s; %s",
        topology, sut.name, DiskSettle.settle(s.settleSeconds), BlockStat.sinceLast());
    log(
        "%s %s: %s",
        topology, sut.name, HostCpu.awaitQuiet(s.stealWaitSeconds, HostCpu::read, Thread::sleep));
    // the official client keeps its tracker in a global: the system measured now
    BenchClient.configureOfficial(sut.tracker());
    runPhases(
        s,
        sut,
        row.kind(),
        row.concurrency(),
        row.size(),
        s.files(row.size(), row.concurrency()),
        table,
        topology);
  }

  /**
   * How much longer the warm-up must run so that every one of {@code pids} has run {@code past}.
   */
  static double secondsToRun(List<Long> pids, double past) throws IOException {
    double youngest = Double.MAX_VALUE;
    for (long pid : pids) {
      youngest = Math.min(youngest, ServerCpu.secondsUp(pid));
    }
    return secondsToRun(youngest, past);
  }

  /** {@code past} less the youngest process's age, never below zero (pure: tests). */
  static double secondsToRun(double youngestUp, double past) {
    return past <= 0 || youngestUp == Double.MAX_VALUE ? 0 : Math.max(0, past - youngestUp);
  }

  /**
   * Whether the compiler threads were quiet: {@code compilerTicks} of CPU over {@code seconds} of
   * wall clock is at most {@code maxPercent} of one core.
   */
  static boolean jitQuiet(long compilerTicks, double seconds, double maxPercent) {
    double percent = 100.0 * compilerTicks / ServerCpu.TICKS_PER_SECOND / Math.max(seconds, 1e-3);
    return percent <= maxPercent;
  }

  /**
   * Warm-up rounds (4 KiB and every measured size: upload, download, delete with every client kind
   * at every concurrency measured) until the servers' JIT compiler threads used at most --jit-quiet
   * percent of one core over a round of at least a second, or --jit-quiet-max seconds passed. A
   * fixed file count left them compiling into the measured rows: on a loaded 2-core machine the
   * compiler threads are starved, and the c=1 rows, measured first, ran on a JVM still compiling
   * (C1/C2 at 34-71% of the server CPU in those phases).
   */
  private static void untilJitQuiet(BenchSettings s, SystemUnderTest sut, String topology)
      throws Exception {
    if (s.jitQuietMaxSeconds <= 0) {
      return;
    }
    List<Long> pids = sut.serverPids();
    List<String> labels = sut.serverLabels();
    long start = System.nanoTime();
    // ours: at least until every server process has run warmupPastSeconds (its first maintenance
    // pass in the warm-up, not in a row), then the JIT bound as before
    double past = sut instanceof SystemUnderTest.Ours ? s.warmupPastSeconds : 0;
    double toRun = secondsToRun(pids, past);
    long runUntil = start + (long) (toRun * 1e9);
    long deadline = Math.max(start + (long) (s.jitQuietMaxSeconds * 1e9), runUntil);
    int rounds = 0;
    double percent;
    while (true) {
      long c0 = compilerTicks(pids, labels);
      long t0 = System.nanoTime();
      do {
        for (BenchClient.Kind kind : s.clients) {
          for (int c : s.concurrencies) {
            for (long size : warmupSizes(s.sizes)) {
              runPhases(s, sut, kind, c, size, warmupRoundFiles(size, c), null, topology);
            }
          }
        }
      } while (System.nanoTime() - t0 < 1_000_000_000L);
      rounds++;
      double seconds = (System.nanoTime() - t0) / 1e9;
      long ticks = compilerTicks(pids, labels) - c0;
      percent = 100.0 * ticks / ServerCpu.TICKS_PER_SECOND / seconds;
      long now = System.nanoTime();
      if (now >= runUntil && jitQuiet(ticks, seconds, s.jitQuietPercent) || now > deadline) {
        break;
      }
    }
    log(
        "%s warm-up until the JIT is quiet%s: %d rounds, %.0f s, compiler threads %.1f%% of a core"
            + " over the last round (%s)",
        sut.name,
        past > 0 ? String.format(" and the servers ran %.0f s", past) : "",
        rounds,
        (System.nanoTime() - start) / 1e9,
        percent,
        percent <= s.jitQuietPercent ? "quiet" : "NOT quiet: time bound reached");
  }

  /**
   * Sizes of the JIT-quiet warm-up rounds: 4 KiB and every measured size. Files above
   * storage.packed.maxFileSize take other code (plain files: FileBlobEngine, FileWriteStream,
   * FileDownload's sendFile, plain deletes); with 4 KiB rounds alone the 1 MiB rows ran on a JVM
   * whose compiler threads used 52% of a core (/work/b8-C.log).
   */
  static List<Long> warmupSizes(List<Long> measured) {
    java.util.TreeSet<Long> sizes = new java.util.TreeSet<>(measured);
    sizes.add(4096L);
    return List.copyOf(sizes);
  }

  /**
   * Files of the warm-up's one pass at a measured row's amount: the row's count at c=1, at most 128
   * MiB (at least 4 files), so that a 64 KiB row's 100 MiB is matched and a 1 MiB row's 400 MiB is
   * not.
   */
  static int amountPassFiles(long size, int measuredFiles) {
    long byBytes = Math.max(4, (128L << 20) / Math.max(1, size));
    return (int) Math.min(measuredFiles, byBytes);
  }

  /**
   * Files per JIT-quiet round at one size: 8 per connection (at least 20), and at most 128 MiB a
   * round, so that a 32 MiB row warms up with 4 files a round rather than 4 GiB.
   */
  static int warmupRoundFiles(long size, int concurrency) {
    long byBytes = Math.max(4, (128L << 20) / Math.max(1, size));
    return (int) Math.min(Math.max(20, 8L * concurrency), byBytes);
  }

  /** CPU ticks of every JIT compiler thread (C1 and C2) of the server processes. */
  private static long compilerTicks(List<Long> pids, List<String> labels) throws IOException {
    long sum = 0;
    for (Map.Entry<String, Long> e : ServerCpu.threadTicks(pids, labels).entrySet()) {
      if (e.getKey().contains("CompilerThre")) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /**
   * CPU the servers use with no client at all (heartbeats, Hazelcast, timers, a JIT still
   * compiling), over 5 s: at low rates it is a visible part of the CPU per operation of a row.
   */
  private static void idle(SystemUnderTest sut) throws Exception {
    Map<Long, Long> c0 = ServerCpu.threadNanos(sut.serverPids());
    long t0 = System.nanoTime();
    Thread.sleep(5000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double ms = ServerCpu.nanosSince(c0, ServerCpu.threadNanos(sut.serverPids())) / 1e6;
    idleMsPerSecond.put(sut.name, ms / seconds);
    log("%s idle: server CPU %.0f ms per second with no client", sut.name, ms / seconds);
  }

  /** Each system's CPU with no client, ms per second ({@link #idle}): {@link PhaseTail}'s base. */
  private static final Map<String, Double> idleMsPerSecond = new ConcurrentHashMap<>();

  /**
   * Waits after a measured phase for the work it left behind ({@link PhaseTail}), bounded by
   * --tail-max; nothing for a warm-up phase.
   */
  private static PhaseTail.Result tail(
      BenchSettings s, SystemUnderTest sut, ResultTable table, List<Long> pids) throws Exception {
    if (table == null || s.tailMaxSeconds <= 0) {
      return PhaseTail.Result.NONE;
    }
    Map<Long, Long> base = ServerCpu.threadNanos(pids);
    return PhaseTail.await(
        () -> {
          try {
            return ServerCpu.nanosSince(base, ServerCpu.threadNanos(pids));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        idleMsPerSecond.getOrDefault(sut.name, 0.0),
        s.tailMaxSeconds,
        PhaseTail.SYSTEM);
  }

  /** With --jfr: print each measured phase's wall-clock window. */
  private static boolean printWindows;

  static void log(String fmt, Object... args) {
    System.out.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(fmt, args));
  }

  /** Latencies of one phase, and its count, errors and first error. */
  private static final class Phase {
    final long[] nanos;

    /** System.nanoTime() at each operation's start, in the order of {@link #nanos}. */
    final long[] starts;

    final AtomicInteger done = new AtomicInteger();
    final AtomicLong errors = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>();

    Phase(int n) {
      nanos = new long[n];
      starts = new long[n];
    }

    void ok(long start, long ns) {
      int i = done.getAndIncrement();
      starts[i] = start;
      nanos[i] = ns;
    }

    void failed(Exception e) {
      errors.incrementAndGet();
      firstError.compareAndSet(null, e.toString());
    }
  }

  interface Op {
    void run(BenchClient client, int index) throws Exception;
  }

  /**
   * Runs {@code op} for indexes 0..n-1 over {@code c} workers, each with its own client, until done
   * or {@code maxSeconds} passed; returns the phase's latencies and errors.
   */
  private static Phase phase(
      BenchClient.Kind kind, String tracker, int c, int n, double maxSeconds, Op op)
      throws Exception {
    Phase p = new Phase(n);
    AtomicInteger next = new AtomicInteger();
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < c; w++) {
      Thread t =
          new Thread(
              () -> {
                try (BenchClient client = BenchClient.open(kind, tracker)) {
                  for (int i; (i = next.getAndIncrement()) < n && System.nanoTime() < deadline; ) {
                    long t0 = System.nanoTime();
                    try {
                      op.run(client, i);
                      p.ok(t0, System.nanoTime() - t0);
                    } catch (Exception e) {
                      p.failed(e);
                    }
                  }
                } catch (Exception e) {
                  p.failed(e);
                }
              },
              "bench-" + w);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join((long) (maxSeconds * 1000) + 60_000);
      if (t.isAlive()) {
        throw new IOException("a worker is stuck past the phase's time limit");
      }
    }
    return p;
  }

  /**
   * Upload, download (checked) and delete of {@code n} files; adds rows to {@code table} unless it
   * is null (warm-up).
   */
  private static void runPhases(
      BenchSettings s,
      SystemUnderTest sut,
      BenchClient.Kind kind,
      int c,
      long size,
      int n,
      ResultTable table,
      String topology)
      throws Exception {
    byte[] content = new byte[(int) size];
    new Random(size * 31 + n).nextBytes(content);
    AtomicReferenceArray<String[]> ids = new AtomicReferenceArray<>(n);
    List<Long> pids = sut.serverPids();
    String tracker = sut.tracker();

    List<String> labels = sut.serverLabels();
    Map<String, Long> threads0 =
        table != null && s.threads > 0 ? ServerCpu.threadTicks(pids, labels) : null;
    // the warm-up lists the storages as a measured phase does: a tracker that first meets the
    // list command in a measured row recompiles its dispatch there (C2 class_check traps in
    // TrackerCommands.dispatch and TrackerCodec.replyBody: 300-500 ms of compiler CPU, 70-155 us
    // per operation in a 2,000-upload row; benchmark/PROFILE.md, "idle (session 13)"). Ours only:
    // the official client 1.27 cannot decode FastDFS V6.15's storage records (974 bytes: "byte
    // array length: 974 is invalid!"), a record format newer than the client.
    boolean print = table != null;
    long[][] counters =
        listsStorages(s.threads) && sut instanceof SystemUnderTest.Ours
            ? storageCounters(tracker, null, print)
            : null;
    Map<Long, Long> cpu0 = ServerCpu.threadNanos(pids);
    long t0 = System.nanoTime();
    phaseStarts(table, sut, "upload");
    Phase up =
        phase(kind, tracker, c, n, s.maxSeconds, (client, i) -> ids.set(i, client.upload(content)));
    record(s, table, sut, topology, kind, c, size, "upload", up, t0, cpu0, pids);
    threads0 = threadReport(s, threads0, pids, labels, up);
    counters = counters == null ? null : storageCounters(tracker, counters, print);

    List<String[]> stored = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (ids.get(i) != null) {
        stored.add(ids.get(i));
      }
    }
    cpu0 = ServerCpu.threadNanos(pids);
    t0 = System.nanoTime();
    phaseStarts(table, sut, "download");
    Phase down =
        phase(
            kind,
            tracker,
            c,
            stored.size(),
            s.maxSeconds,
            (client, i) -> {
              String[] id = stored.get(i);
              byte[] got = client.download(id[0], id[1]);
              if (!Arrays.equals(got, content)) {
                throw new IOException(
                    "download of "
                        + id[0]
                        + "/"
                        + id[1]
                        + ": "
                        + got.length
                        + " bytes, not the uploaded "
                        + content.length
                        + " (or different bytes)");
              }
            });
    record(s, table, sut, topology, kind, c, size, "download", down, t0, cpu0, pids);
    threads0 = threadReport(s, threads0, pids, labels, down);
    counters = counters == null ? null : storageCounters(tracker, counters, print);

    // the delete phase removes every stored file (a longer bound: leftovers would skew later rows)
    cpu0 = ServerCpu.threadNanos(pids);
    t0 = System.nanoTime();
    phaseStarts(table, sut, "delete");
    Phase del =
        phase(
            kind,
            tracker,
            c,
            stored.size(),
            s.maxSeconds * 4,
            (client, i) -> {
              String[] id = stored.get(i);
              client.delete(id[0], id[1]);
            });
    record(s, table, sut, topology, kind, c, size, "delete", del, t0, cpu0, pids);
    threadReport(s, threads0, pids, labels, del);
    if (counters != null) {
      storageCounters(tracker, counters, print);
    }
  }

  /**
   * Whether every phase, warm-up included, lists the storages through the tracker (with --threads:
   * the measured phases print what each storage did), so that the measured rows meet no tracker
   * code the warm-up did not run.
   */
  static boolean listsStorages(int threads) {
    return threads > 0;
  }

  /**
   * With --threads: what each storage did since {@code before} as its tracker reports it
   * (heartbeats, so up to one heartbeat late): downloads it served and bytes it copied in from its
   * peers. Says where a phase's downloads went and whether copies were still arriving in it.
   * Returns the counters now; null in or {@code print} false (a warm-up phase), nothing printed.
   */
  private static long[][] storageCounters(String tracker, long[][] before, boolean print) {
    if (tracker == null) {
      return null;
    }
    try {
      org.csource.fastdfs.TrackerClient trackers = new org.csource.fastdfs.TrackerClient();
      org.csource.fastdfs.TrackerServer ts = trackers.getConnection();
      try {
        org.csource.fastdfs.StructStorageStat[] all = trackers.listStorages(ts, "group1");
        if (all == null) {
          return before;
        }
        long[][] now = new long[all.length][];
        StringBuilder b = new StringBuilder("    storages since the last line:");
        for (int i = 0; i < all.length; i++) {
          now[i] =
              new long[] {
                all[i].getSuccessDownloadCount(),
                all[i].getSuccessSyncInBytes(),
                all[i].getSuccessDeleteCount()
              };
          if (before != null && i < before.length) {
            b.append(
                String.format(
                    java.util.Locale.ROOT,
                    " %s downloads %d, deletes %d, copied in %.1f MiB;",
                    all[i].getIpAddr() + ":" + all[i].getStoragePort(),
                    now[i][0] - before[i][0],
                    now[i][2] - before[i][2],
                    (now[i][1] - before[i][1]) / 1048576.0));
          }
        }
        if (before != null && print) {
          System.out.println(b);
        }
        return now;
      } finally {
        ts.close();
      }
    } catch (Exception e) {
      System.out.println("    storages: cannot list: " + e);
      return before;
    }
  }

  /** A measured phase begins (a line an outside profiler can wait for). */
  private static void phaseStarts(ResultTable table, SystemUnderTest sut, String op) {
    if (table != null) {
      log("%s %s: phase started", sut.name, op);
    }
    hostAtPhaseStart = HostCpu.read();
    blockAtPhaseStart = BlockStat.read();
  }

  /** The disks' counters at the start of the phase being measured ({@link BlockStat.PerOp}). */
  private static BlockStat blockAtPhaseStart;

  /** The machine's CPU time at the start of the phase being measured ({@link HostCpu}). */
  private static HostCpu hostAtPhaseStart;

  /**
   * Rows measured while the host stole at least {@link #STEAL_NOTE_PERCENT} of the machine's time,
   * listed at the end: their rates and CPU per operation are the host's as much as ours.
   */
  static final List<String> stolenRows = new ArrayList<>();

  static final double STEAL_NOTE_PERCENT = 5;

  /**
   * With {@code --threads N}: the N server thread kinds that used the most CPU over the phase, in
   * µs per operation (process:thread kind, digits dropped so pools add up). Returns the new
   * baseline.
   */
  private static Map<String, Long> threadReport(
      BenchSettings s, Map<String, Long> before, List<Long> pids, List<String> labels, Phase p)
      throws IOException {
    if (before == null) {
      return null;
    }
    Map<String, Long> now = ServerCpu.threadTicks(pids, labels);
    int ops = p.done.get();
    List<Map.Entry<String, Long>> delta = new ArrayList<>();
    now.forEach((k, v) -> delta.add(Map.entry(k, Math.max(0, v - before.getOrDefault(k, 0L)))));
    delta.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    long total = delta.stream().mapToLong(Map.Entry::getValue).sum();
    StringBuilder b = new StringBuilder("    server threads, us/op:");
    for (Map.Entry<String, Long> e : delta.subList(0, Math.min(s.threads, delta.size()))) {
      if (e.getValue() == 0) {
        break;
      }
      b.append(
          String.format(
              java.util.Locale.ROOT,
              " %s %.0f (%.0f%%);",
              e.getKey(),
              ServerCpu.microsPerOp(e.getValue(), ops),
              total == 0 ? 0.0 : 100.0 * e.getValue() / total));
    }
    System.out.println(b);
    return now;
  }

  private static void record(
      BenchSettings s,
      ResultTable table,
      SystemUnderTest sut,
      String topology,
      BenchClient.Kind kind,
      int c,
      long size,
      String operation,
      Phase p,
      long t0,
      Map<Long, Long> cpu0,
      List<Long> pids)
      throws Exception {
    double seconds = (System.nanoTime() - t0) / 1e9;
    long cpu = ServerCpu.nanosSince(cpu0, ServerCpu.threadNanos(pids));
    int count = p.done.get();
    // before the row is made: its CPU includes the work the phase left behind
    PhaseTail.Result tail = tail(s, sut, table, pids);
    BlockStat blockNow = BlockStat.read();
    BlockStat.PerOp device = blockNow == null ? null : blockNow.perOp(blockAtPhaseStart, count);
    long[] sorted = Arrays.copyOf(p.nanos, count);
    Arrays.sort(sorted);
    ResultTable.Row row =
        new ResultTable.Row(
            new ResultTable.Key(topology, kind.label, c, size, operation),
            sut.name,
            count,
            p.errors.get(),
            seconds,
            ResultTable.percentileMs(sorted, count, 0.50),
            ResultTable.percentileMs(sorted, count, 0.99),
            ServerCpu.microsPerOpFromNanos(cpu + tail.chargedNanos(), count),
            p.firstError.get(),
            table == null ? 1 : table.round(),
            tail == PhaseTail.Result.NONE ? null : tail,
            device);
    if (table == null) {
      if (p.errors.get() > 0) {
        log("warm-up %s: %d errors, first: %s", operation, p.errors.get(), p.firstError.get());
      }
      return;
    }
    table.add(row);
    System.out.println(table.format(row));
    System.out.println(tail.describe(count));
    if (device != null) {
      System.out.println(device.describe());
    }
    dumpLatencies(topology, kind, c, size, operation, sut, p, row.round());
    HostCpu host = HostCpu.read();
    if (host != null && hostAtPhaseStart != null) {
      double steal = host.stealPercentSince(hostAtPhaseStart);
      System.out.printf(
          java.util.Locale.ROOT,
          "    host: steal %.0f%%, busy %.0f%% of the machine over the phase%n",
          steal,
          host.busyPercentSince(hostAtPhaseStart));
      if (steal >= STEAL_NOTE_PERCENT) {
        stolenRows.add(
            String.format(
                java.util.Locale.ROOT,
                "%s %s c=%d %s %s round %d: steal %.0f%%",
                topology,
                kind.label,
                c,
                operation,
                sut.name,
                row.round(),
                steal));
      }
    }
    if (printWindows) {
      // wall-clock bounds of the measured phase, to cut a JFR recording to it
      long end = System.currentTimeMillis();
      log(
          "window %s %s: %tT.%<tL .. %tT.%<tL",
          sut.name, operation, end - (long) (seconds * 1000), end);
    }
  }

  /** Where --dump-latencies writes (null: off). */
  private static Path dumpDir;

  /** The wall clock's epoch nanoseconds minus System.nanoTime(), read once. */
  private static final long EPOCH_MINUS_NANO =
      System.currentTimeMillis() * 1_000_000L - System.nanoTime();

  /**
   * With --dump-latencies: one file per measured phase, a line per operation in completion order
   * (wall-clock start in epoch microseconds, latency in microseconds, start as System.nanoTime():
   * on Linux CLOCK_MONOTONIC, ftrace's trace_clock "mono"), to see whether a phase's slow
   * operations are periodic, clustered or random and to line them up with server logs and traces.
   */
  private static void dumpLatencies(
      String topology,
      BenchClient.Kind kind,
      int c,
      long size,
      String operation,
      SystemUnderTest sut,
      Phase p,
      int round)
      throws IOException {
    if (dumpDir == null) {
      return;
    }
    Files.createDirectories(dumpDir);
    String name =
        String.format(
            java.util.Locale.ROOT,
            "%s-%s-%s-c%d-%d-%s-r%d.tsv",
            sut.name,
            topology,
            kind.label,
            c,
            size,
            operation,
            round);
    StringBuilder b = new StringBuilder("start_epoch_us\tlatency_us\tstart_mono_ns\n");
    int count = p.done.get();
    for (int i = 0; i < count; i++) {
      b.append((p.starts[i] + EPOCH_MINUS_NANO) / 1000)
          .append('\t')
          .append(p.nanos[i] / 1000)
          .append('\t')
          .append(p.starts[i])
          .append('\n');
    }
    Files.writeString(dumpDir.resolve(name), b);
  }
}
