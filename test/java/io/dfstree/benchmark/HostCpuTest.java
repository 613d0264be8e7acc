package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The machine's steal and busy share over a phase, from two first lines of /proc/stat. */
class HostCpuTest {
  @Test
  void stealIsTheHostsShareOfTheMachinesTimeBetweenTwoSamples() {
    // user nice system idle iowait irq softirq steal guest guest_nice (ticks, all CPUs)
    HostCpu before = HostCpu.parse("cpu  4366756 3755 1401759 4272465 368710 0 339404 102261 0 0");
    // one second on 2 CPUs (200 ticks): 90 user, 10 system, 60 idle, 5 iowait, 35 stolen
    HostCpu after = HostCpu.parse("cpu  4366846 3755 1401769 4272525 368715 0 339404 102296 0 0");
    assertEquals(17.5, after.stealPercentSince(before), 1e-9);
    assertEquals(50.0, after.busyPercentSince(before), 1e-9);
  }

  @Test
  void noTimeBetweenSamplesIsNoSteal() {
    HostCpu s = HostCpu.parse("cpu  1 2 3 4 5 6 7 8 0 0");
    assertEquals(0.0, s.stealPercentSince(s));
    assertEquals(0.0, s.busyPercentSince(s));
  }

  @Test
  void onlyTheMachinesLineIsAccepted() {
    assertThrows(IllegalArgumentException.class, () -> HostCpu.parse("cpu0 1 2 3 4 5 6 7 8"));
    assertThrows(IllegalArgumentException.class, () -> HostCpu.parse("cpu  1 2 3"));
  }

  @Test
  void awaitQuietWaitsOutABurstOfSteal() throws Exception {
    // samples every half second (200 ticks a second on 2 CPUs): 40% steal for two seconds, then 0
    long[] steal = {0, 40, 80, 120, 160, 160, 160, 160};
    int[] next = {0};
    java.util.List<Long> slept = new java.util.ArrayList<>();
    String line =
        HostCpu.awaitQuiet(
            30,
            () -> {
              int i = Math.min(next[0]++, steal.length - 1);
              return new HostCpu(100L * i, 0, steal[i]);
            },
            slept::add);
    assertTrue(line.startsWith("host quiet: steal 0%"), line);
    assertEquals(6, next[0] - 1, "returned at the first one-second window without steal");
    assertTrue(slept.stream().allMatch(ms -> ms == 500));
  }

  @Test
  void awaitQuietGivesUpAtItsBound() throws Exception {
    int[] next = {0};
    String line =
        HostCpu.awaitQuiet(
            2,
            () -> {
              int i = next[0]++;
              return new HostCpu(100L * i, 0, 20L * i); // 20% all along
            },
            ms -> {});
    assertTrue(line.startsWith("host NOT quiet: steal 20%"), line);
    assertEquals(
        "host not awaited (--steal-wait-max 0)", HostCpu.awaitQuiet(0, () -> null, ms -> {}));
  }

  @Test
  void thisMachineHasAStealColumn() {
    HostCpu now = HostCpu.read();
    assertNotNull(now, "Linux: /proc/stat");
    assertTrue(now.steal() >= 0 && now.total() > now.idle());
  }
}
