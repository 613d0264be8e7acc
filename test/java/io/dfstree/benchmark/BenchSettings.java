package io.dfstree.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's command line ({@link PeerBench}, benchmark/fastdfs-compare.sh): what to run, how
 * long, and the system names with their suffixes.
 */
final class BenchSettings {
  Path jar = Path.of("target/dfstree.jar");
  Path peerScript = Path.of("../shared/fastdfs-peer/fastdfs-peer");
  List<String> topologies = List.of("single", "group");
  List<String> systems = List.of("fastdfs", "ours", "ours-w1");
  List<BenchClient.Kind> clients = List.of(BenchClient.Kind.values());
  List<Integer> concurrencies = List.of(1, 16);
  List<Long> sizes = List.of(4L << 10, 64L << 10, 1L << 20);
  double scale = 1.0;
  double maxSeconds = 15;

  /**
   * Warm-up files per storage (each uploaded, downloaded and deleted), before the JIT-quiet rounds.
   * Enough that a method called once per operation on a storage passes C2's thresholds (about 5,000
   * calls from tier 3) before the rows: with 400, methods such as {@code ReplicaFanout.finish} were
   * compiled by C2 inside the measured c=1 upload row while the JIT-quiet rounds had reported
   * "quiet" (LogCompilation, session 14).
   */
  int warmup = 6000;

  /**
   * After the fixed warm-up, more warm-up rounds until the servers' JIT compiler threads used at
   * most {@link #jitQuietPercent} of one core over a round, for at most this long (0: off).
   */
  double jitQuietMaxSeconds = 120;

  double jitQuietPercent = 3;

  /**
   * The warm-up of our systems also lasts until every server process has run this long: past our
   * storages' first one-minute maintenance pass (compaction, index checkpoint), which takes rare
   * branches of the commit path; C2 then discards {@code BatchCommitter.commit} and compiles it
   * again 10-25 s later, inside the measured rows when the warm-up ended first (LogCompilation,
   * session 14). 0: off.
   */
  double warmupPastSeconds = 90;

  /**
   * Before a system starts, before its idle reading and before each block of measured phases: sync,
   * then wait up to this long for dirty pages to drain ({@link DiskSettle}; 0: off).
   */
  double settleSeconds = 60;

  /**
   * After each measured phase: wait up to this long for the servers to be quiet again, charging the
   * CPU of the wait above their idle rate to the phase ({@link PhaseTail}; 0: off, the next phase
   * starts at once and carries what this one left behind).
   */
  double tailMaxSeconds = 10;

  /**
   * Before each block of measured phases: wait up to this long for a second in which the host stole
   * at most 2% of the machine ({@link HostCpu#awaitQuiet}; 0: off).
   */
  double stealWaitSeconds = 30;

  /**
   * Each topology's systems this many times, each round in another order ({@link
   * RoundSchedule#roundOrder}); the table then shows medians and the range of the per-round ratios
   * ({@link ResultTable}).
   */
  int rounds = 1;

  /**
   * All systems of a topology up at once, and each row measured for every system (rotated, {@link
   * #rounds} times) before the next row ({@link RoundSchedule#interleavedTurns}).
   */
  boolean interleave;

  Path jfr;
  Path out;

  /** With --dump-latencies DIR: every measured phase's start time and latency per operation. */
  Path dumpLatencies;

  List<String> serverJvm = List.of("-Xmx512m");
  int subdirs = 32;
  Path baselineJar;

  /**
   * More builds of ours in the same run ({@code --jar-as main=main.jar}): system {@code main} (W=2,
   * fsync on) and {@code main-w1} run that jar.
   */
  Map<String, Path> namedJars = new LinkedHashMap<>();

  /**
   * More JVM options for one system of ours and its {@code -w1} twin, after {@link #serverJvm}
   * ({@code --jvm-as serial="-XX:+UseSerialGC"}): the same build with another JVM setting beside it
   * in one run. A name that is not also a {@code --jar-as} name runs the default jar.
   */
  Map<String, List<String>> namedJvm = new LinkedHashMap<>();

  /**
   * Another Java runtime for one system of ours and its {@code -w1} twin ({@code --java-as
   * jdk25=/usr/lib/jvm/temurin-25-jdk-amd64}): its servers run {@code JAVA_HOME/bin/java}, the same
   * jar and options, beside the harness's own runtime in one run.
   */
  Map<String, Path> namedJava = new LinkedHashMap<>();

  int threads;

  /**
   * Extra storage settings for every system of ours ({@code --storage-set packed.enabled=true}).
   */
  List<String> storageSets = new ArrayList<>();

  /** JFR settings (a .jfc path or a name such as profile) for {@code --jfr}. */
  String jfrSettings = "profile";

  /**
   * Files per phase: fewer for large files, so every row takes seconds. One connection gets a
   * quarter of the files above 4 MiB only. A c=1 phase of 500 small files lasted 0.2-0.7 s, and a
   * second of machine noise moved its ratio by half (session 14: FastDFS's own c=1 upload went
   * 557-1,093/s between rounds); as many small files as at c=16 last a few seconds. Likewise 1 MiB
   * files: 50 at c=1 made 35-50 ms download and delete phases that one pause decided (session 24:
   * single node 1 MiB downloads 1,150 and 630/s in two rounds at the same p50), so up to 4 MiB c=1
   * gets as many as c=16.
   */
  int files(long size, int concurrency) {
    int base = size <= (8 << 10) ? 2000 : size <= (128 << 10) ? 800 : 200;
    if (concurrency == 1 && size > (4 << 20)) {
      base /= 4;
    }
    return Math.max(10, (int) (base * scale));
  }

  static BenchSettings parse(String[] args) {
    BenchSettings s = new BenchSettings();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> {
          s.topologies = List.of("single", "group");
          s.clients = List.of(BenchClient.Kind.OFFICIAL, BenchClient.Kind.SPLIT);
          s.sizes = List.of(4L << 10);
          s.scale = 0.1;
          s.maxSeconds = 5;
          s.warmup = 100;
          s.jitQuietMaxSeconds = 30;
        }
        case "--jar" -> s.jar = Path.of(args[++i]);
        case "--fastdfs-peer" -> s.peerScript = Path.of(args[++i]);
        case "--topologies" -> s.topologies = List.of(args[++i].split(","));
        case "--systems" -> s.systems = List.of(args[++i].split(","));
        case "--clients" ->
            s.clients = Arrays.stream(args[++i].split(",")).map(BenchClient.Kind::of).toList();
        case "-c", "--concurrency" ->
            s.concurrencies = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "-s", "--sizes" ->
            s.sizes = Arrays.stream(args[++i].split(",")).map(BenchSettings::bytes).toList();
        case "--scale" -> s.scale = Double.parseDouble(args[++i]);
        case "--max-seconds" -> s.maxSeconds = Double.parseDouble(args[++i]);
        case "--warmup" -> s.warmup = Integer.parseInt(args[++i]);
        case "--jit-quiet-max" -> s.jitQuietMaxSeconds = Double.parseDouble(args[++i]);
        case "--jit-quiet" -> s.jitQuietPercent = Double.parseDouble(args[++i]);
        case "--warmup-past" -> s.warmupPastSeconds = Double.parseDouble(args[++i]);
        case "--settle-max" -> s.settleSeconds = Double.parseDouble(args[++i]);
        case "--tail-max" -> s.tailMaxSeconds = Double.parseDouble(args[++i]);
        case "--steal-wait-max" -> s.stealWaitSeconds = Double.parseDouble(args[++i]);
        case "--rounds" -> s.rounds = Integer.parseInt(args[++i]);
        case "--interleave" -> s.interleave = true;
        case "--jfr" -> s.jfr = Path.of(args[++i]);
        case "--subdirs" -> s.subdirs = Integer.parseInt(args[++i]);
        case "--baseline-jar" -> s.baselineJar = Path.of(args[++i]);
        case "--jar-as" -> {
          String[] kv = args[++i].split("=", 2);
          if (kv.length != 2 || kv[0].isEmpty() || kv[0].endsWith("-w1")) {
            throw new IllegalArgumentException("--jar-as NAME=JAR, got " + args[i]);
          }
          s.namedJars.put(kv[0], Path.of(kv[1]));
        }
        case "--jvm-as" -> {
          String[] kv = args[++i].split("=", 2);
          if (kv.length != 2 || kv[0].isEmpty() || kv[0].endsWith("-w1") || kv[1].isBlank()) {
            throw new IllegalArgumentException("--jvm-as NAME=\"JVM OPTIONS\", got " + args[i]);
          }
          s.namedJvm.put(kv[0], List.of(kv[1].trim().split("\\s+")));
        }
        case "--java-as" -> {
          String[] kv = args[++i].split("=", 2);
          if (kv.length != 2 || kv[0].isEmpty() || kv[0].endsWith("-w1") || kv[1].isBlank()) {
            throw new IllegalArgumentException("--java-as NAME=JAVA_HOME, got " + args[i]);
          }
          Path java = Path.of(kv[1].trim(), "bin", "java");
          if (!java.toFile().canExecute()) {
            throw new IllegalArgumentException("--java-as " + kv[0] + ": no " + java);
          }
          s.namedJava.put(kv[0], java);
        }
        case "--threads" -> s.threads = Integer.parseInt(args[++i]);
        case "--storage-set" -> s.storageSets.add(args[++i]);
        case "--jfr-settings" -> s.jfrSettings = args[++i];
        case "--out" -> s.out = Path.of(args[++i]);
        case "--dump-latencies" -> s.dumpLatencies = Path.of(args[++i]);
        case "--server-jvm" -> s.serverJvm = List.of(args[++i].trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    for (String t : s.topologies) {
      if (!t.equals("single") && !t.equals("group")) {
        throw new IllegalArgumentException("topology " + t + ": single or group");
      }
    }
    for (String sys : s.systems) {
      String plain = withoutStoreSuffix(sys);
      if (!List.of("fastdfs", "ours", "ours-w1").contains(plain)
          && !(s.baselineJar != null && List.of("base", "base-w1").contains(plain))
          && !s.namedJars.containsKey(plain.replaceFirst("-w1$", ""))
          && !s.namedJvm.containsKey(plain.replaceFirst("-w1$", ""))
          && !s.namedJava.containsKey(plain.replaceFirst("-w1$", ""))) {
        throw new IllegalArgumentException(
            "system "
                + sys
                + ": fastdfs, ours or ours-w1 "
                + "(base and base-w1 with --baseline-jar; a -packed suffix packs small files,"
                + " a -plain suffix stores each file on its own, a -push or -catchup suffix"
                + " pushes W=1 copies or leaves them to catch-up)");
      }
    }
    if (s.interleave) {
      // all up at once: one FastDFS (fixed addresses), and names that tell the rows apart
      if (s.systems.stream().filter(x -> withoutStoreSuffix(x).equals("fastdfs")).count() > 1) {
        throw new IllegalArgumentException("--interleave runs at most one FastDFS");
      }
      if (new HashSet<>(s.systems).size() != s.systems.size()) {
        throw new IllegalArgumentException("--interleave: a system named twice in " + s.systems);
      }
    }
    return s;
  }

  static long bytes(String text) {
    String t = text.trim().toUpperCase();
    long mult = t.endsWith("K") ? 1024 : t.endsWith("M") ? 1024 * 1024 : 1;
    return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
  }

  /** A system name's suffix that turns on the packed small-file store (ours-packed, ...). */
  static final String PACKED = "-packed";

  /**
   * A system name's suffix that turns the packed store off (ours-plain, ...): one file per upload,
   * how every build stored small files before packing became the default.
   */
  static final String PLAIN = "-plain";

  /**
   * A system name's suffix that has a W=1 group's sources stream each upload to their peers
   * (storage.pushCopies=true; ours-w1-push, ours-w1-push-packed, ...) instead of leaving the copy
   * to the peers' catch-up.
   */
  static final String PUSH = "-push";

  /**
   * A system name's suffix that leaves every W=1 copy to the peers' catch-up
   * (storage.pushCopies=false; ours-w1-catchup): how a W=1 group copied before the push became the
   * default.
   */
  static final String CATCH_UP = "-catchup";

  /** The system's name without its -packed, -plain, -push or -catchup suffixes. */
  static String withoutStoreSuffix(String name) {
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String suffix : List.of(PACKED, PLAIN, PUSH, CATCH_UP)) {
        if (name.endsWith(suffix)) {
          name = name.substring(0, name.length() - suffix.length());
          stripped = true;
        }
      }
    }
    return name;
  }

  /** The storage settings a system name's suffixes ask for (after any --storage-set). */
  static List<String> suffixSettings(String name) {
    List<String> sets = new ArrayList<>();
    if (name.contains(PACKED)) {
      sets.add("packed.enabled=true");
    } else if (name.contains(PLAIN)) {
      sets.add("packed.enabled=false");
    }
    if (name.contains(PUSH)) {
      sets.add("pushCopies=true");
    } else if (name.contains(CATCH_UP)) {
      sets.add("pushCopies=false");
    }
    return sets;
  }

  static final String USAGE =
      """
      usage: benchmark/fastdfs-compare.sh [--quick] [--topologies single,group] [--systems fastdfs,ours,ours-w1]
               [--clients official,pooled,split] [-c 1,16] [-s 4K,64K,1M] [--scale F] [--max-seconds S]
               [--warmup N] [--jit-quiet PERCENT] [--jit-quiet-max SECONDS (0: off)] [--warmup-past SECONDS (0: off)] [--settle-max SECONDS (0: off)] [--tail-max SECONDS (0: off)] [--steal-wait-max SECONDS (0: off)] [--rounds N] [--interleave] [--jfr DIR] [--threads N] [--subdirs N] [--out FILE.tsv]
               [--baseline-jar OLD.jar (adds systems base, base-w1: another build of ours, same run)]
               [--jar-as NAME=JAR (adds systems NAME, NAME-w1: one more build; repeatable)]
               [--jvm-as NAME="OPTS" (systems NAME, NAME-w1: ours with more JVM options; repeatable)]
               [--java-as NAME=JAVA_HOME (systems NAME, NAME-w1: ours on another Java runtime; repeatable)]
               [--server-jvm "-Xmx512m ..."] [--storage-set KEY=VALUE (storage.KEY on ours; repeatable)]
               [--jfr-settings profile|FILE.jfc] [--dump-latencies DIR (per measured phase: start, latency per op)]
             systems ours, ours-w1, base, base-w1 take a -packed suffix (storage.packed.enabled=true)
             or a -plain suffix (storage.packed.enabled=false), and a -push suffix
             (storage.pushCopies=true: a W=1 source pushes each upload to its peers) or a -catchup
             suffix (storage.pushCopies=false: W=1 copies by the peers' catch-up alone)""";
}
