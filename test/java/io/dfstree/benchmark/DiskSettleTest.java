package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DiskSettleTest {
  @Test
  void dirtyAndWritebackAreAddedAndTheirLookalikesAreNot() {
    String meminfo =
        """
        MemTotal:       24563052 kB
        Dirty:              9316 kB
        Writeback:           684 kB
        AnonPages:        123456 kB
        WritebackTmp:       5000 kB
        """;
    assertEquals((9316L + 684L) * 1024, DiskSettle.unwrittenBytes(meminfo));
  }

  @Test
  void aMeminfoWithoutTheLinesIsAnErrorNotZero() {
    assertThrows(
        IllegalArgumentException.class, () -> DiskSettle.unwrittenBytes("MemTotal: 1 kB\n"));
  }

  @Test
  void thisMachinesMeminfoParses() throws Exception {
    assertTrue(DiskSettle.unwrittenBytes(Files.readString(Path.of("/proc/meminfo"))) >= 0);
  }
}
