package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness's pure parts: CPU accounting from /proc, percentiles, ratios, the table.
 */
class ResultTableTest {
  @Test
  void cpuTicksAreUtimePlusStimeEvenWhenTheNameHasSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // ...
    String line =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 40 0 99 0";
    assertEquals(1234 + 567, ServerCpu.ticks(line));
    assertThrows(IllegalArgumentException.class, () -> ServerCpu.ticks("garbage"));
  }

  @Test
  void cpuTicksOfThisProcessGrowAndConvertToMicrosPerOp() throws Exception {
    long before = ServerCpu.ticks(ProcessHandle.current().pid());
    long spin = System.nanoTime() + 150_000_000;
    long x = 0;
    while (System.nanoTime() < spin) {
      x += Long.numberOfTrailingZeros(System.nanoTime());
    }
    assertTrue(x >= 0);
    assertTrue(
        ServerCpu.ticks(List.of(ProcessHandle.current().pid())) > before,
        "150 ms of spinning shows in /proc");
    // 10 ticks of 10 ms over 100 operations: 1000 us each
    assertEquals(1000.0, ServerCpu.microsPerOp(10, 100), 1e-9);
    assertTrue(Double.isNaN(ServerCpu.microsPerOp(10, 0)));
  }

  @Test
  void threadKindsDropDigitsSoPoolsAddUp() {
    assertEquals(
        "vert.x-eventloo",
        ServerCpu.threadKind("17 (vert.x-eventloo) S 1 2 3 0 -1 0 0 0 0 0 5 6 0"));
    assertEquals(
        "GC Thread#", ServerCpu.threadKind("18 (GC Thread#1) S 1 2 3 0 -1 0 0 0 0 0 5 6 0"));
    assertEquals(
        "hazelcast", ServerCpu.threadKind("19 (hz.dreamy_chate) S 1 2 3 0 -1 0 0 0 0 0 5 6 0"));
  }

  @Test
  void percentilesAreNearestRank() {
    long[] ns = {1_000_000, 2_000_000, 3_000_000, 4_000_000};
    assertEquals(2.0, ResultTable.percentileMs(ns, 4, 0.5), 1e-9);
    assertEquals(4.0, ResultTable.percentileMs(ns, 4, 0.99), 1e-9);
    assertEquals(1.0, ResultTable.percentileMs(ns, 1, 0.99), 1e-9);
    assertTrue(Double.isNaN(ResultTable.percentileMs(ns, 0, 0.5)));
  }

  @Test
  void ratiosAreTakenAgainstFastDfsRowWithTheSameKey() {
    ResultTable t = new ResultTable();
    ResultTable.Key k = new ResultTable.Key("group", "official", 16, 4096, "upload");
    ResultTable.Key other = new ResultTable.Key("group", "official", 1, 4096, "upload");
    ResultTable.Row ours = new ResultTable.Row(k, "ours", 500, 0, 1.0, 4.0, 9.0, 1500, null);
    ResultTable.Row fast = new ResultTable.Row(k, "fastdfs", 2000, 0, 1.0, 2.0, 5.0, 300, null);
    ResultTable.Row lonely =
        new ResultTable.Row(other, "ours", 100, 2, 2.0, 1.0, 2.0, 100, "IOException: x");
    t.add(ours);
    t.add(fast);
    t.add(lonely);
    assertEquals(0.25, t.speedRatio(ours), 1e-9);
    assertEquals(2.0, t.latencyRatio(ours), 1e-9);
    assertEquals(5.0, t.cpuRatio(ours), 1e-9);
    assertEquals(1.0, t.speedRatio(fast), 1e-9);
    assertTrue(Double.isNaN(t.speedRatio(lonely)), "no FastDFS row: no ratio");
    assertEquals(500 * 4096 / 1048576.0, ours.mibPerSecond(), 1e-9);

    String table = t.format();
    String[] lines = table.split("\n");
    assertTrue(lines[0].startsWith("topo"), table);
    assertTrue(lines[2].contains("fastdfs"), "FastDFS's row comes first in its key\n" + table);
    assertTrue(
        lines[3].contains("ours") && lines[3].contains("0.25") && lines[3].contains("5.00"), table);
    assertTrue(lines[4].contains("2 first: IOException: x"), table);
    assertTrue(
        t.tsv().split("\n")[1].startsWith("group\tofficial\t16\t4096\tupload\tours\t500\t0"),
        t.tsv());
  }

  @Test
  void withRoundsEachRatioIsTakenWithinItsRoundAndTheTableShowsMedians() {
    ResultTable t = new ResultTable();
    ResultTable.Key k = new ResultTable.Key("group", "official", 16, 4096, "upload");
    // round 1: FastDFS 1000/s, ours 500/s (0.5x); round 2: FastDFS 4000/s, ours 4000/s (1.0x);
    // round 3: FastDFS 2000/s, ours 1600/s (0.8x)
    t.add(new ResultTable.Row(k, "fastdfs", 1000, 0, 1.0, 2.0, 5.0, 300, null, 1, null, null));
    t.add(new ResultTable.Row(k, "ours", 500, 0, 1.0, 4.0, 9.0, 600, null, 1, null, null));
    t.add(new ResultTable.Row(k, "ours", 4000, 0, 1.0, 1.0, 9.0, 300, null, 2, null, null));
    t.add(new ResultTable.Row(k, "fastdfs", 4000, 0, 1.0, 1.0, 5.0, 300, null, 2, null, null));
    t.add(new ResultTable.Row(k, "fastdfs", 2000, 0, 1.0, 2.0, 5.0, 300, null, 3, null, null));
    t.add(new ResultTable.Row(k, "ours", 1600, 1, 1.0, 3.0, 9.0, 450, "x", 3, null, null));
    List<ResultTable.Row> ours = t.rows().stream().filter(r -> r.system().equals("ours")).toList();
    assertEquals(0.5, t.speedRatio(ours.get(0)), 1e-9);
    assertEquals(1.0, t.speedRatio(ours.get(1)), 1e-9, "against round 2's FastDFS row");
    assertEquals(0.8, t.speedRatio(ours.get(2)), 1e-9);
    String table = t.format();
    String[] lines = table.split("\n");
    assertTrue(lines[0].contains("x ops range"), table);
    assertTrue(lines[2].contains("fastdfs") && lines[2].contains("2000.0"), table);
    // ours: median 1600/s, median ratio 0.80, range 0.50-1.00, p50 median 3.00, cpu median 450
    // (cpu ratios 2.0, 1.0, 1.5: median 1.50), one error over the rounds
    assertTrue(lines[3].contains(" 3 ") && lines[3].contains("1600.0"), table);
    assertTrue(lines[3].contains("0.80") && lines[3].contains("0.50-1.00"), table);
    assertTrue(lines[3].contains("3.00") && lines[3].contains(" 450 "), table);
    assertTrue(lines[3].contains("1.50") && lines[3].endsWith("| 1"), table);
    assertTrue(t.tsv().split("\n")[6].endsWith("\t3\tsequential\t-\t-\t-\t-\t-\t-"), t.tsv());
    t.mode(ResultTable.INTERLEAVED);
    assertTrue(
        t.tsv()
            .split("\n")[0]
            .endsWith(
                "\tround\tmode\ttail_s\ttail_cpu_us_op\tdev_writes_op\tdev_flushes_op\tdev_flush_us_op\tdev_busy_us_op"),
        t.tsv());
    assertTrue(t.tsv().split("\n")[6].endsWith("\t3\tinterleaved\t-\t-\t-\t-\t-\t-"), t.tsv());
    // a row whose phase left work behind: how long its tail took and what it charged
    t.add(
        new ResultTable.Row(
            new ResultTable.Key("group", "official", 1, 1 << 20, "upload"),
            "ours-w1",
            200,
            0,
            1.0,
            1.0,
            2.0,
            1800,
            null,
            1,
            new PhaseTail.Result(0.8, true, 150_000_000, 120_000_000),
            new BlockStat.PerOp(3.0, 1.0, 310, 2_450)));
    assertTrue(t.tsv().split("\n")[7].endsWith("\t0.80\t600.0\t3.00\t1.00\t310\t2450"), t.tsv());
    assertEquals(2.5, ResultTable.median(List.of(1.0, Double.NaN, 4.0, 2.0, 3.0)), 1e-9);
  }

  @Test
  void theDiskFlushLineTakesRowsThatFlushedAboutOncePerOperation() {
    ResultTable t = new ResultTable();
    ResultTable.Key k = new ResultTable.Key("single", "pooled", 1, 4096, "delete");
    assertNull(t.deviceFlushSummary(), "no row: no line");
    t.add(new ResultTable.Row(k, "fastdfs", 100, 0, 1, 1, 1, 1, null, 1, null, null));
    t.add(
        new ResultTable.Row(
            k, "ours-w1", 100, 0, 1, 1, 1, 1, null, 1, null, new BlockStat.PerOp(0.1, 0.01, 9, 9)));
    assertNull(t.deviceFlushSummary(), "a row flushing once per 100 operations does not count");
    t.add(
        new ResultTable.Row(
            k, "ours", 100, 0, 1, 1, 1, 1, null, 1, null, new BlockStat.PerOp(2, 1.0, 400, 500)));
    t.add(
        new ResultTable.Row(
            k, "ours", 100, 0, 1, 1, 1, 1, null, 2, null, new BlockStat.PerOp(5, 2.0, 200, 500)));
    t.add(
        new ResultTable.Row(
            k, "ours", 100, 0, 1, 1, 1, 1, null, 3, null, new BlockStat.PerOp(2, 0.5, 300, 500)));
    // per flush: 400, 100, 600 -> median 400, range 100-600, 3 rows
    assertEquals(
        "disk cache flush: median 400 us per flush (100-600) over the 3 rows that flushed at least"
            + " once per two operations",
        t.deviceFlushSummary());
  }

  @Test
  void roundsRotateSoEverySystemRunsInEveryPositionThenReverseForWhoFollowsWhom() {
    List<String> systems = List.of("fastdfs", "a", "b");
    assertEquals(systems, RoundSchedule.roundOrder(systems, 1));
    assertEquals(List.of("a", "b", "fastdfs"), RoundSchedule.roundOrder(systems, 2));
    assertEquals(List.of("b", "fastdfs", "a"), RoundSchedule.roundOrder(systems, 3));
    assertEquals(List.of("b", "a", "fastdfs"), RoundSchedule.roundOrder(systems, 4));
    assertEquals(
        systems, RoundSchedule.roundOrder(systems, 7), "the design repeats after 2n rounds");
    java.util.Map<String, Integer> neighbours = new java.util.HashMap<>();
    for (int round = 1; round <= 6; round++) {
      List<String> order = RoundSchedule.roundOrder(systems, round);
      for (int position = 0; position < order.size(); position++) {
        neighbours.merge(position + ":" + order.get(position), 1, Integer::sum);
        if (position > 0) {
          neighbours.merge(order.get(position - 1) + ">" + order.get(position), 1, Integer::sum);
        }
      }
    }
    for (String s : systems) {
      for (int position = 0; position < 3; position++) {
        assertEquals(2, neighbours.get(position + ":" + s), s + " in position " + position);
      }
      for (String t : systems) {
        if (!s.equals(t)) {
          assertEquals(2, neighbours.get(s + ">" + t), t + " after " + s);
        }
      }
    }
    assertEquals(
        List.of("b", "a"), RoundSchedule.roundOrder(List.of("a", "b"), 2), "two: reversed");
    assertTrue(RoundSchedule.positionsBalanced(3, 6));
    assertFalse(RoundSchedule.positionsBalanced(3, 2));
    assertEquals(3, BenchSettings.parse(new String[] {"--rounds", "3"}).rounds);
  }

  @Test
  void settingsParseSizesListsAndQuickMode() {
    BenchSettings s =
        BenchSettings.parse(new String[] {"-s", "4K,1M", "-c", "1", "--systems", "ours"});
    assertEquals(List.of(4096L, 1048576L), s.sizes);
    assertEquals(List.of(1), s.concurrencies);
    assertEquals(2000, s.files(4096, 1), "c=1 small-file phases as long as c=16's");
    assertEquals(200, s.files(1 << 20, 1), "1 MiB phases at c=1 as long as c=16's");
    assertEquals(50, s.files(32 << 20, 1), "a quarter of the files above 4 MiB at c=1");
    BenchSettings q = BenchSettings.parse(new String[] {"--quick"});
    assertTrue(q.files(4096, 16) <= 200 && q.maxSeconds <= 5, "quick mode is small");
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchSettings.parse(new String[] {"--systems", "minio"}));
    assertThrows(
        IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--bogus"}));
  }
}
