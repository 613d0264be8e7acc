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
  void thisMachineHasAStealColumn() {
    HostCpu now = HostCpu.read();
    assertNotNull(now, "Linux: /proc/stat");
    assertTrue(now.steal() >= 0 && now.total() > now.idle());
  }
}
