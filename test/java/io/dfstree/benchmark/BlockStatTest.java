package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BlockStatTest {
  @Test
  void writesDiscardsAndFlushesAreReadFromTheirFieldsAndAdded() {
    // vda, kernel 5.10: 17 fields
    String vda =
        "  110807    40892  5236434    28334 10140742  1047860 607996288  4698388        0  1098016"
            + "  5544344   917975       32 254129344   164482  3207895   653140";
    BlockStat one = BlockStat.add(BlockStat.zero(0), vda);
    assertEquals(10140742, one.writes());
    assertEquals(4698388, one.writeMillis());
    assertEquals(917975, one.discards());
    assertEquals(254129344, one.discardSectors());
    assertEquals(164482, one.discardMillis());
    assertEquals(3207895, one.flushes());
    assertEquals(653140, one.flushMillis());
    assertEquals(1098016, one.busyMillis());
    // an old kernel's 11 fields: no discards, no flushes
    BlockStat two = BlockStat.add(one, "1 2 3 4 5 6 7 8 0 10 11");
    assertEquals(10140747, two.writes());
    assertEquals(917975, two.discards());
    assertThrows(IllegalArgumentException.class, () -> BlockStat.add(one, "1 2 3"));
  }

  @Test
  void theLineSaysWhatHappenedBetweenTwoReadings() {
    BlockStat a = new BlockStat(0, 10, 0, 5, 100, 0, 20, 7, 3, 0);
    BlockStat b = new BlockStat(2_000_000_000L, 30, 4096, 15, 600, 2048 * 10, 520, 9, 4, 1000);
    assertEquals(
        "disk over the last 2 s: writes 20 (2.0 MiB, 10 ms), discards 500 (10.0 MiB, 500 ms),"
            + " flushes 2 (1 ms), busy 50%",
        b.since(a));
  }

  @Test
  void perOperationFiguresAreTheGrowthDividedByTheOperations() {
    BlockStat a = new BlockStat(0, 10, 0, 5, 100, 0, 20, 7, 3, 40);
    // 2,000 deletes, each a page written and a flush, half an inode too: 500 ms of flushes, 900
    // ms busy with the writes
    BlockStat b = new BlockStat(1_000_000_000L, 3_010, 0, 5, 100, 0, 20, 2_007, 503, 940);
    BlockStat.PerOp op = b.perOp(a, 2_000);
    assertEquals(1.5, op.writes(), 1e-9);
    assertEquals(1.0, op.flushes(), 1e-9);
    assertEquals(250.0, op.flushMicros(), 1e-9);
    assertEquals(450.0, op.busyMicros(), 1e-9);
    assertEquals(
        "    disk per op: writes 1.50, flushes 1.00 (250 us), busy 450 us", op.describe());
    assertNull(b.perOp(null, 2_000), "no reading at the phase's start");
    assertNull(b.perOp(a, 0), "a phase that did nothing");
  }
}
