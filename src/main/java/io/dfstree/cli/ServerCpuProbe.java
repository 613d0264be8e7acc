package io.dfstree.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU time server processes spent over a benchmark phase, read from {@code /proc/<pid>/stat}
 * (utime + stime of every thread, fields 14 and 15). {@code bench} and {@code bench-s3} take it
 * before and after each phase when given {@code --server-pid}, so two protocols are compared by
 * what an operation costs the server, a figure that survives a loaded machine far better than
 * ops/s. {@link #measure} runs a phase between two readings and keeps its figure for the result
 * table ({@link ResultTable}).
 */
final class ServerCpuProbe {
  /** Linux's USER_HZ: /proc reports times in these ticks (100 on every common kernel build). */
  static final long TICKS_PER_SECOND = 100;

  private final List<Long> pids;
  private long startTicks;

  /** Server CPU µs per operation of each phase run through {@link #measure}, by operation. */
  private final Map<String, Double> perOperation = new ConcurrentHashMap<>();

  /** A benchmark phase to measure. */
  interface Phase<E extends Exception> {
    PhaseResult run() throws E;
  }

  /** A probe over {@code pids}; none (an empty list) measures nothing. */
  ServerCpuProbe(List<Long> pids) {
    this.pids = List.copyOf(pids);
  }

  boolean enabled() {
    return !pids.isEmpty();
  }

  /** Marks the start of a phase. */
  void start() {
    startTicks = enabled() ? ticks() : 0;
  }

  /** Server CPU µs per operation since {@link #start()}; NaN when disabled or no operation ran. */
  double microsPerOp(long ops) {
    if (!enabled() || ops <= 0) {
      return Double.NaN;
    }
    return (ticks() - startTicks) * (1_000_000.0 / TICKS_PER_SECOND) / ops;
  }

  /** Runs {@code phase} between two readings and keeps its µs per operation under its name. */
  <E extends Exception> PhaseResult measure(Phase<E> phase) throws E {
    start();
    PhaseResult r = phase.run();
    perOperation.put(r.operation(), microsPerOp(r.count()));
    return r;
  }

  /** The figure {@link #measure} kept for {@code operation}; NaN when none was measured. */
  double measuredMicrosPerOp(String operation) {
    return perOperation.getOrDefault(operation, Double.NaN);
  }

  private long ticks() {
    long sum = 0;
    for (long pid : pids) {
      try {
        sum += ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
      } catch (IOException e) {
        throw new ClientCommand.LocalProblem("cannot read CPU time of server process " + pid + ": " + e);
      }
    }
    return sum;
  }

  /**
   * utime + stime from one {@code /proc/<pid>/stat} line. The command name (field 2) is in
   * parentheses and may itself hold spaces and parentheses, so fields are counted from the last
   * ')'.
   */
  static long ticks(String statLine) {
    int close = statLine.lastIndexOf(')');
    String[] f = close < 0 ? new String[0] : statLine.substring(close + 1).trim().split("\\s+");
    if (f.length < 13) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
    }
    // after the name f[0] is field 3 (state), so field N is f[N - 3]
    return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
  }

  /** The column's text: whole µs, or "-" when not measured. */
  static String format(double micros) {
    return Double.isNaN(micros) ? "-" : String.format("%.0f", micros);
  }
}
