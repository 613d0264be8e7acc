package io.dfstree.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of server processes. Two readings: {@code /proc/<pid>/stat}'s user plus system time of
 * every thread of the process (fields 14 and 15) in 10 ms clock ticks, and each thread's time on a
 * CPU in nanoseconds from {@code /proc/<pid>/task/<tid>/schedstat} ({@link #threadNanos}). The
 * benchmark takes the nanoseconds before and after a phase, for every server process of the system
 * under test (ours and FastDFS's alike), and divides the difference by the phase's operations: a
 * tick is 200 us per operation in a 50-operation phase of one process, a nanosecond reading is
 * exact. Its one loss: a thread that ends between the two readings takes its time with it (the
 * process's stat keeps it); server threads live as long as their process, pools' idle threads
 * excepted, which end after doing nothing for a while.
 */
final class ServerCpu {
  /** Linux's USER_HZ: /proc reports times in these ticks (100 on every common kernel build). */
  static final long TICKS_PER_SECOND = 100;

  private ServerCpu() {}

  /**
   * utime + stime from one line of {@code /proc/<pid>/stat}. The second field, the command name, is
   * in parentheses and may itself contain spaces and parentheses, so fields are counted from the
   * last ')'.
   */
  static long ticks(String statLine) {
    long[] userSystem = userSystemTicks(statLine);
    return userSystem[0] + userSystem[1];
  }

  /** utime and stime (fields 14 and 15) of one {@code /proc/<pid>/stat} line, as {@link #ticks}. */
  static long[] userSystemTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
    }
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    // after the name: f[0] is field 3 (state), so field N is f[N - 3]
    if (f.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc/<pid>/stat line: " + statLine);
    }
    return new long[] {Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3])};
  }

  /**
   * The process's start time (field 22, ticks after boot) from one line of {@code
   * /proc/<pid>/stat}, fields counted from the last ')' as in {@link #ticks(String)}.
   */
  static long startTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    if (close < 0 || f.length < 22 - 2) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
    }
    return Long.parseLong(f[22 - 3]);
  }

  /** Seconds process {@code pid} has run: /proc/uptime less its start time. */
  static double secondsUp(long pid) throws IOException {
    double boot = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split("\\s+")[0]);
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return boot - (double) startTicks(stat) / TICKS_PER_SECOND;
  }

  /** utime + stime of process {@code pid} in ticks. */
  static long ticks(long pid) throws IOException {
    return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** Sum of {@link #ticks(long)} over {@code pids}. */
  static long ticks(List<Long> pids) throws IOException {
    long sum = 0;
    for (long pid : pids) {
      sum += ticks(pid);
    }
    return sum;
  }

  /**
   * Nanoseconds on a CPU from one {@code /proc/<pid>/task/<tid>/schedstat} line (its first field;
   * the others are time waiting to run and time slices).
   */
  static long nanos(String schedstatLine) {
    String[] f = schedstatLine.trim().split("\\s+");
    if (f.length < 1 || f[0].isEmpty()) {
      throw new IllegalArgumentException("not a schedstat line: " + schedstatLine);
    }
    return Long.parseLong(f[0]);
  }

  /**
   * Nanoseconds on a CPU of every thread of {@code pids}, by thread ID (unique across processes),
   * for {@link #nanosSince}.
   */
  static Map<Long, Long> threadNanos(List<Long> pids) throws IOException {
    Map<Long, Long> out = new HashMap<>();
    for (long pid : pids) {
      List<Path> all;
      try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
        all = s.toList();
      }
      for (Path t : all) {
        try {
          out.put(
              Long.valueOf(t.getFileName().toString()),
              nanos(Files.readString(t.resolve("schedstat"))));
        } catch (IOException gone) {
          // the thread ended between the listing and the read
        }
      }
    }
    return out;
  }

  /**
   * CPU nanoseconds from {@code before} to {@code now} ({@link #threadNanos} readings): each
   * thread's growth, a thread new since {@code before} all of its time. A thread whose reading went
   * down is a new thread under a reused ID: all of its time. Threads that ended are not counted.
   */
  static long nanosSince(Map<Long, Long> before, Map<Long, Long> now) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : now.entrySet()) {
      long was = before.getOrDefault(e.getKey(), 0L);
      long is = e.getValue();
      sum += is >= was ? is - was : is;
    }
    return sum;
  }

  /** Microseconds of CPU per operation for {@code nanos} over {@code ops} (NaN when none). */
  static double microsPerOpFromNanos(long nanos, long ops) {
    return ops <= 0 ? Double.NaN : nanos / 1000.0 / ops;
  }

  /**
   * The thread name from a {@code /proc/<pid>/task/<tid>/stat} line (the kernel keeps 15
   * characters), with digits dropped so that pools add up: "vert.x-eventloo", "C2 CompilerThre",
   * "GC Thread#", "hz.<name>.IO.th"...
   */
  static String threadKind(String statLine) {
    int open = statLine.indexOf('(');
    int close = statLine.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line: " + statLine);
    }
    String name = statLine.substring(open + 1, close).replaceAll("[0-9]+", "");
    // Hazelcast names its threads hz.<random instance name>.<pool>, cut to 15 characters: one kind
    return name.startsWith("hz.") ? "hazelcast" : name;
  }

  /**
   * Each thread of {@code pids} by thread ID, named "label:kind" ({@link #threadKind}), to group
   * {@link #threadNanos} readings by.
   */
  static Map<Long, String> threadKinds(List<Long> pids, List<String> labels) throws IOException {
    Map<Long, String> out = new HashMap<>();
    for (int i = 0; i < pids.size(); i++) {
      List<Path> all;
      try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pids.get(i)), "task"))) {
        all = s.toList();
      }
      for (Path t : all) {
        try {
          out.put(
              Long.valueOf(t.getFileName().toString()),
              labels.get(i) + ":" + threadKind(Files.readString(t.resolve("stat"))));
        } catch (IOException gone) {
          // the thread ended
        }
      }
    }
    return out;
  }

  /**
   * Ticks per thread kind (see {@link #threadKind}) over every thread of {@code pids}, "pid:kind"
   * keyed.
   */
  static Map<String, Long> threadTicks(List<Long> pids, List<String> labels) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (int i = 0; i < pids.size(); i++) {
      Path tasks = Path.of("/proc", Long.toString(pids.get(i)), "task");
      List<Path> all;
      try (Stream<Path> s = Files.list(tasks)) {
        all = s.toList();
      }
      for (Path t : all) {
        String line;
        try {
          line = Files.readString(t.resolve("stat"));
        } catch (IOException gone) {
          continue; // the thread ended
        }
        out.merge(labels.get(i) + ":" + threadKind(line), ticks(line), Long::sum);
      }
    }
    return out;
  }

  /**
   * Microseconds of CPU per operation for {@code ticks} spent on {@code ops} operations (NaN when
   * none).
   */
  static double microsPerOp(long ticks, long ops) {
    return ops <= 0 ? Double.NaN : ticks * (1_000_000.0 / TICKS_PER_SECOND) / ops;
  }
}
