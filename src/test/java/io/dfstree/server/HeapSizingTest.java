package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeapSizingTest {
  @Test
  void raisesTheDefaultOnly() {
    assertEquals(Optional.of("90"), HeapSizing.valueFor("70", true));
    assertEquals(Optional.empty(), HeapSizing.valueFor("70", false), "set by whoever started it");
    assertEquals(Optional.empty(), HeapSizing.valueFor("95", true), "already allows more free");
    assertEquals(Optional.empty(), HeapSizing.valueFor("x", true));
  }

  /**
   * In this JVM (started by the test runner without the flag) the setting takes effect: the flag is
   * manageable, so a server started with {@code java -jar} gets it too.
   */
  @Test
  void setsTheFlagInARunningJvm() {
    HotSpotDiagnosticMXBean hotspot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    VMOption before = hotspot.getVMOption(HeapSizing.FLAG);
    HeapSizing.apply();
    VMOption after = hotspot.getVMOption(HeapSizing.FLAG);
    if (before.getOrigin() == VMOption.Origin.DEFAULT) {
      assertEquals("90", after.getValue());
      assertEquals(VMOption.Origin.MANAGEMENT, after.getOrigin());
    } else {
      assertEquals(before.getValue(), after.getValue(), "a value given on the command line wins");
    }
  }
}
