package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The wait for a phase's leftover work ({@link PhaseTail}) on a simulated clock and CPU, and the
 * nanosecond CPU readings it rests on ({@link ServerCpu#threadNanos}).
 */
class PhaseTailTest {
  /** A clock that advances only when the wait sleeps, and servers using {@code msPerSecond[i]}. */
  private static final class Simulated implements PhaseTail.Clock, LongSupplier {
    private final double[] msPerSecondByWindow;
    private long now;
    private long cpu;
    private int window;

    Simulated(double... msPerSecondByWindow) {
      this.msPerSecondByWindow = msPerSecondByWindow;
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepMillis(long millis) {
      double rate = msPerSecondByWindow[Math.min(window++, msPerSecondByWindow.length - 1)];
      now += millis * 1_000_000L;
      cpu += (long) (rate * 1e6 * millis / 1000.0);
    }

    @Override
    public long getAsLong() {
      return cpu;
    }
  }

  /** The wait after a phase whose servers then use {@code msPerSecondByWindow}. */
  private static PhaseTail.Result tail(double idle, double maxSeconds, double... msPerSecondByWindow)
      throws InterruptedException {
    Simulated sim = new Simulated(msPerSecondByWindow);
    return PhaseTail.await(sim, idle, maxSeconds, sim);
  }

  @Test
  void quietIsTwiceTheIdleRateAndAtLeastThirtyAboveIt() {
    assertEquals(130, PhaseTail.quietMsPerSecond(65), 1e-9);
    assertEquals(40, PhaseTail.quietMsPerSecond(10), 1e-9, "FastDFS idles near 10 ms/s");
    assertEquals(30, PhaseTail.quietMsPerSecond(0), 1e-9);
    // 20 ms of CPU in 200 ms is 100 ms/s
    assertTrue(PhaseTail.quiet(20_000_000, 200_000_000, 65));
    assertFalse(PhaseTail.quiet(30_000_000, 200_000_000, 65), "150 ms/s is not quiet at idle 65");
    assertFalse(PhaseTail.quiet(0, 0, 65));
  }

  @Test
  void workLeftBehindIsWaitedForAndItsCpuAboveIdleCharged() throws Exception {
    // a W=1 group still copying: 900 ms/s for three windows, then back to its 60 ms/s idle
    PhaseTail.Result r = tail(60, 10, 900, 900, 900, 60);
    assertTrue(r.quiet());
    assertEquals(0.8, r.seconds(), 1e-9, "four windows of 200 ms");
    // used: 3 x 180 ms + 12 ms = 552 ms; idle over 0.8 s: 48 ms
    assertEquals(552_000_000, r.cpuNanos());
    assertEquals(504_000_000, r.chargedNanos());
    assertTrue(r.describe(400).contains("1260 us/op"), r.describe(400));
  }

  @Test
  void serversQuietAtOnceAreChargedNothingEvenAboveTheirIdleAverage() throws Exception {
    // 90 ms/s against an idle reading of 65: the idle rate's swing, not work left behind
    PhaseTail.Result r = tail(65, 10, 90);
    assertTrue(r.quiet() && r.seconds() == 0.2 && r.cpuNanos() == 18_000_000, r.toString());
    assertEquals(0, r.chargedNanos());
  }

  @Test
  void theWaitIsBoundedAndSaysSo() throws Exception {
    PhaseTail.Result r = tail(10, 1, 1000);
    assertFalse(r.quiet());
    assertEquals(1.0, r.seconds(), 1e-9);
    assertEquals(1_000_000_000 - 10_000_000, r.chargedNanos());
    assertTrue(r.describe(100).contains("NOT quiet"), r.describe(100));
    assertEquals(PhaseTail.Result.NONE, tail(10, 0, 1000), "0 turns it off");
  }

  @Test
  void nanosecondReadingsAddEachThreadsGrowthAndNewThreadsWhole() {
    assertEquals(3282183, ServerCpu.nanos("3282183 6142 2\n"));
    assertThrows(IllegalArgumentException.class, () -> ServerCpu.nanos(" "));
    Map<Long, Long> before = Map.of(1L, 1_000L, 2L, 5_000L, 3L, 700L);
    // thread 1 grew 500, 2 grew 0, 3 ended (lost), 4 is new (all of it); a reused ID whose
    // reading went down counts whole
    Map<Long, Long> now = Map.of(1L, 1_500L, 2L, 5_000L, 4L, 300L);
    assertEquals(800, ServerCpu.nanosSince(before, now));
    assertEquals(250, ServerCpu.nanosSince(Map.of(9L, 1_000L), Map.of(9L, 250L)));
    assertEquals(2.5, ServerCpu.microsPerOpFromNanos(250_000, 100), 1e-9);
    assertTrue(Double.isNaN(ServerCpu.microsPerOpFromNanos(1, 0)));
  }

  /**
   * The thread spins until it has had 50 ms of CPU by its own clock ({@code
   * getCurrentThreadCpuTime}), not for 50 ms of wall time: on a busy machine 50 ms of wall time
   * gave the thread 31.5 ms of CPU (2 cores, 8 CPU burners beside the suite, 2026-12-05), and the
   * reading was right to say so.
   */
  @Test
  void thisProcessesThreadsShowSpinningInNanoseconds() throws Exception {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    List<Long> me = List.of(ProcessHandle.current().pid());
    Map<Long, Long> before = ServerCpu.threadNanos(me);
    long cpuUntil = threads.getCurrentThreadCpuTime() + 50_000_000;
    long deadline = System.nanoTime() + 30_000_000_000L;
    long x = 0;
    while (threads.getCurrentThreadCpuTime() < cpuUntil && System.nanoTime() < deadline) {
      x += Long.numberOfTrailingZeros(System.nanoTime());
    }
    assertTrue(x >= 0);
    assertTrue(threads.getCurrentThreadCpuTime() >= cpuUntil, "50 ms of CPU within 30 s");
    long used = ServerCpu.nanosSince(before, ServerCpu.threadNanos(me));
    assertTrue(used >= 40_000_000, "50 ms of spinning reads as at least 40 ms: " + used);
  }
}
