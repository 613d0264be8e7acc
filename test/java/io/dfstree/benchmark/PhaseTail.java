package io.dfstree.benchmark;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The work a phase leaves behind, and the wait for it to end. A phase ends when its last operation
 * is answered, but the servers may not be done: a group that replicates asynchronously (FastDFS,
 * our W=1) still copies the phase's uploads to the peer and applies its deletes there, a trash
 * still unlinks, a disk still forces. Measured back to back, that work ran inside the next phase
 * and was charged to it (a W=1 group's 1 MiB downloads carried its uploads' copies: 2-3x the CPU
 * per download of the W=2 group that copies before it answers).
 *
 * <p>So after each measured phase the benchmark waits, up to a bound, until the servers' CPU over a
 * short window is back near what they use with no client at all ({@link #quiet}), and charges the
 * CPU of that wait above the idle rate to the phase that caused it. The phase's rate and latencies
 * are the client's and do not change; its CPU per operation then includes its deferred work, for
 * every system alike, and the next phase starts on servers that are done.
 */
final class PhaseTail {
  /** Length of one window whose CPU rate says whether the servers are quiet. */
  static final long WINDOW_MILLIS = 200;

  /** The wait after a phase: its length, whether it ended quiet, and the CPU charged. */
  record Result(double seconds, boolean quiet, long cpuNanos, long chargedNanos) {
    static final Result NONE = new Result(0, true, 0, 0);

    String describe(long ops) {
      if (seconds == 0 && cpuNanos == 0) {
        return "    tail: not waited for";
      }
      return String.format(
          Locale.ROOT,
          "    tail: %s after %.1f s; %.0f ms of server CPU, %.0f ms above idle charged to the phase"
              + " (%.0f us/op)",
          quiet ? "quiet" : "NOT quiet (bound reached)",
          seconds,
          cpuNanos / 1e6,
          chargedNanos / 1e6,
          ops <= 0 ? Double.NaN : chargedNanos / 1000.0 / ops);
    }
  }

  /** How the wait sleeps and reads the clock (tests replace both). */
  interface Clock {
    long nanoTime();

    void sleepMillis(long millis) throws InterruptedException;
  }

  static final Clock SYSTEM =
      new Clock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleepMillis(long millis) throws InterruptedException {
          Thread.sleep(millis);
        }
      };

  private PhaseTail() {}

  /**
   * The highest CPU rate, in ms per second, that counts as quiet for servers idling at {@code
   * idleMsPerSecond}: twice the idle rate, and at least 30 ms/s above it (an idle rate measured
   * over 5 s swings by tens of ms/s: JIT, Hazelcast's timers).
   */
  static double quietMsPerSecond(double idleMsPerSecond) {
    double idle = Math.max(0, idleMsPerSecond);
    return Math.max(2 * idle, idle + 30);
  }

  /** Whether {@code cpuNanos} over {@code wallNanos} is at or below {@link #quietMsPerSecond}. */
  static boolean quiet(long cpuNanos, long wallNanos, double idleMsPerSecond) {
    if (wallNanos <= 0) {
      return false;
    }
    double msPerSecond = cpuNanos / 1e6 / (wallNanos / 1e9);
    return msPerSecond <= quietMsPerSecond(idleMsPerSecond);
  }

  /** The CPU of a wait above what idle servers would have used in it, never below zero. */
  static long charged(long cpuNanos, long wallNanos, double idleMsPerSecond) {
    long idle = (long) (Math.max(0, idleMsPerSecond) * 1e6 * (wallNanos / 1e9));
    return Math.max(0, cpuNanos - idle);
  }

  /**
   * Waits, in windows of {@link #WINDOW_MILLIS}, until one window's CPU ({@code cpuNanos}, the
   * servers' total so far) is {@link #quiet}, or {@code maxSeconds} passed; {@code maxSeconds} &le;
   * 0 waits not at all. Servers quiet in the first window are charged nothing (clamping each wait's
   * difference from an average at zero would charge the idle rate's swing to every phase);
   * otherwise the whole wait's CPU above the idle rate is charged.
   */
  static Result await(LongSupplier cpuNanos, double idleMsPerSecond, double maxSeconds, Clock clock)
      throws InterruptedException {
    if (maxSeconds <= 0) {
      return Result.NONE;
    }
    long start = clock.nanoTime();
    long cpuStart = cpuNanos.getAsLong();
    long windowStart = start;
    long cpuWindowStart = cpuStart;
    long bound = start + (long) (maxSeconds * 1e9);
    boolean first = true;
    while (true) {
      clock.sleepMillis(WINDOW_MILLIS);
      long now = clock.nanoTime();
      long cpu = cpuNanos.getAsLong();
      boolean quiet = quiet(cpu - cpuWindowStart, now - windowStart, idleMsPerSecond);
      if (quiet || now >= bound) {
        long wall = now - start;
        long used = cpu - cpuStart;
        // quiet at once: nothing was left behind that the idle rate's swing would not explain
        long charge = quiet && first ? 0 : charged(used, wall, idleMsPerSecond);
        return new Result(wall / 1e9, quiet, used, charge);
      }
      first = false;
      windowStart = now;
      cpuWindowStart = cpu;
    }
  }
}
