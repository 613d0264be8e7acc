package io.dfstree.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time by kind, from the first line of {@code /proc/stat} (ticks since boot,
 * summed over every CPU): what the benchmark reads around each measured phase to say how much of
 * the machine the hypervisor gave to other guests meanwhile ({@code steal}) and how busy the rest
 * of this machine was.
 *
 * <p>Why (benchmark/PROFILE.md, "bgcpu (session 16)"): on this virtual machine the same jar's c=1
 * rows moved up to 2.3× in ops/s and 2× in server CPU per operation from one round to the next,
 * with every server thread kind costing more in the same proportion (event loops, committers, the
 * tracker): the rounds that were slow had 10–25% of the machine's time stolen by the host, the
 * fast ones none. Steal is not counted as the servers' CPU time, but a vCPU that shares its core
 * with another guest runs slower, so every operation takes more of it.
 */
record HostCpu(long total, long idle, long steal) {
  /** {@code user nice system idle iowait irq softirq steal ...}: the first line of /proc/stat. */
  static HostCpu parse(String firstLine) {
    String[] f = firstLine.trim().split("\\s+");
    if (f.length < 9 || !f[0].equals("cpu")) {
      throw new IllegalArgumentException("not the first line of /proc/stat: " + firstLine);
    }
    long total = 0;
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice)
    for (int i = 1; i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    return new HostCpu(total, Long.parseLong(f[4]) + Long.parseLong(f[5]), Long.parseLong(f[8]));
  }

  /** Now; null where there is no /proc/stat (not Linux). */
  static HostCpu read() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/stat")).get(0));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Steal over a second at most this (percent of the machine) counts as a quiet host. */
  static final double QUIET_STEAL_PERCENT = 2;

  /**
   * Before a block of measured phases: waits until the host stole at most {@link
   * #QUIET_STEAL_PERCENT} of the machine over the last second, sampling {@code sampler} every
   * half second, or until {@code maxSeconds} passed (0: does nothing). Steal comes in bursts of
   * seconds to tens of seconds here; a phase begun inside one is slower and costs more CPU per
   * operation in every thread. Returns the line to log.
   */
  static String awaitQuiet(
      double maxSeconds, java.util.function.Supplier<HostCpu> sampler, Sleeper sleeper)
      throws InterruptedException {
    if (maxSeconds <= 0) {
      return "host not awaited (--steal-wait-max 0)";
    }
    HostCpu older = sampler.get();
    if (older == null) {
      return "host steal unknown (no /proc/stat)";
    }
    sleeper.sleep(500);
    HostCpu old = sampler.get();
    double waited = 0.5;
    while (true) {
      sleeper.sleep(500);
      waited += 0.5;
      HostCpu now = sampler.get();
      double steal = now.stealPercentSince(older);
      if (steal <= QUIET_STEAL_PERCENT) {
        return String.format(
            java.util.Locale.ROOT,
            "host quiet: steal %.0f%% over the last second, after %.1f s",
            steal,
            waited);
      }
      if (waited >= maxSeconds) {
        return String.format(
            java.util.Locale.ROOT,
            "host NOT quiet: steal %.0f%% over the last second after %.1f s (time bound reached)",
            steal,
            waited);
      }
      older = old;
      old = now;
    }
  }

  /** {@link Thread#sleep}, replaceable in tests. */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /** Percent of the machine's time between {@code before} and this sample stolen by the host. */
  double stealPercentSince(HostCpu before) {
    long dt = total - before.total;
    return dt <= 0 ? 0 : 100.0 * (steal - before.steal) / dt;
  }

  /**
   * Percent of the machine's time between {@code before} and this sample spent busy (neither idle
   * nor stolen).
   */
  double busyPercentSince(HostCpu before) {
    long dt = total - before.total;
    return dt <= 0
        ? 0
        : 100.0 * (dt - (idle - before.idle) - (steal - before.steal)) / dt;
  }
}
