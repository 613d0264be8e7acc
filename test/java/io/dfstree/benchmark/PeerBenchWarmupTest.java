package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Group and single-node rows must be measured at the same JIT warmth (benchmark/PROFILE.md). */
class PeerBenchWarmupTest {
  @Test
  void eachStorageOfAGroupGetsTheWarmUpOfASingleNode() {
    assertEquals(400, PeerBench.warmupFiles(400, false));
    assertEquals(800, PeerBench.warmupFiles(400, true));
    // a method called once per operation needs ~5,000 calls from tier 3 before C2 compiles it:
    // fewer warm-up files put that compile in the first measured row (session 14)
    org.junit.jupiter.api.Assertions.assertTrue(
        BenchSettings.parse(new String[0]).warmup > 5000, "default warm-up per storage");
  }

  /**
   * The warm-up's pass at a measured row's amount: a 64 KiB c=1 row's files at --scale 2 (1,600,
   * 100 MiB) pass ours' 64 MiB inline-read window, so its download also reads on a disk thread.
   */
  @Test
  void theAmountPassMatchesARowUpTo128MiB() {
    BenchSettings s = BenchSettings.parse(new String[] {"--scale", "2"});
    assertEquals(1600, PeerBench.amountPassFiles(64 << 10, s.files(64 << 10, 1)));
    org.junit.jupiter.api.Assertions.assertTrue(
        1600L * (64 << 10) > 64L << 20, "past the inline-read window");
    assertEquals(4000, PeerBench.amountPassFiles(4 << 10, s.files(4 << 10, 1)));
    assertEquals(128, PeerBench.amountPassFiles(1 << 20, s.files(1 << 20, 1)));
    assertEquals(4, PeerBench.amountPassFiles(64L << 20, s.files(64L << 20, 1)));
  }

  /**
   * The larger sizes' passes come before the bulk 4 KiB warm-up, not after it: with the bulk first,
   * the download path was still at tier 3 when the warm-up ended, and the first measured row paid
   * its C2 compile (benchmark/PROFILE.md, firstrow27).
   */
  @Test
  void everySizesAmountPassRunsBeforeTheBulkWarmUp() {
    BenchSettings s =
        BenchSettings.parse(
            new String[] {
              "--scale", "2", "-s", "4K,64K,1M", "--clients", "official,pooled", "-c", "1,16"
            });
    java.util.List<PeerBench.WarmPass> passes = PeerBench.warmupPasses(s, true);
    assertEquals(
        java.util.List.of(
            new PeerBench.WarmPass(BenchClient.Kind.OFFICIAL, 1, 4096, 4000),
            new PeerBench.WarmPass(BenchClient.Kind.OFFICIAL, 1, 64 << 10, 1600),
            new PeerBench.WarmPass(BenchClient.Kind.OFFICIAL, 1, 1 << 20, 128),
            new PeerBench.WarmPass(BenchClient.Kind.OFFICIAL, 4, 4096, s.warmup),
            new PeerBench.WarmPass(BenchClient.Kind.POOLED, 4, 4096, s.warmup)),
        passes);
    // with the JIT-quiet part off, the bulk alone (as before)
    assertEquals(
        java.util.List.of(new PeerBench.WarmPass(BenchClient.Kind.OFFICIAL, 4, 4096, 400)),
        PeerBench.warmupPasses(
            BenchSettings.parse(
                new String[] {"--jit-quiet-max", "0", "--clients", "official", "--warmup", "400"}),
            false));
  }

  @Test
  void aSystemNamesStoreSuffixIsTakenOffAndItsNameChecked() {
    assertEquals("ours", BenchSettings.withoutStoreSuffix("ours-plain"));
    assertEquals("ours-w1", BenchSettings.withoutStoreSuffix("ours-w1-packed"));
    assertEquals("fastdfs", BenchSettings.withoutStoreSuffix("fastdfs"));
    assertEquals(
        java.util.List.of("ours-plain", "ours-w1-packed"),
        BenchSettings.parse(new String[] {"--systems", "ours-plain,ours-w1-packed"}).systems);
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> BenchSettings.parse(new String[] {"--systems", "minio-plain"}));
  }

  @Test
  void pushAndCatchUpSuffixesSetTheW1CopyPath() {
    assertEquals("ours-w1", BenchSettings.withoutStoreSuffix("ours-w1-push"));
    assertEquals("main-w1", BenchSettings.withoutStoreSuffix("main-w1-catchup-packed"));
    assertEquals(
        java.util.List.of("pushCopies=true"), BenchSettings.suffixSettings("ours-w1-push"));
    assertEquals(
        java.util.List.of("packed.enabled=true", "pushCopies=false"),
        BenchSettings.suffixSettings("ours-w1-catchup-packed"));
    assertEquals(java.util.List.of(), BenchSettings.suffixSettings("ours-w1"));
    assertEquals(
        java.util.List.of("ours-w1-push", "ours-w1-catchup"),
        BenchSettings.parse(new String[] {"--systems", "ours-w1-push,ours-w1-catchup"}).systems);
  }

  @Test
  void theJitIsQuietWhenItsCompilerThreadsUsedAFewPercentOfACore() {
    // 100 ticks per second: 3 ticks over one second is 3% of a core
    org.junit.jupiter.api.Assertions.assertTrue(PeerBench.jitQuiet(3, 1.0, 3));
    org.junit.jupiter.api.Assertions.assertFalse(PeerBench.jitQuiet(4, 1.0, 3));
    org.junit.jupiter.api.Assertions.assertTrue(PeerBench.jitQuiet(5, 2.0, 3));
    org.junit.jupiter.api.Assertions.assertFalse(PeerBench.jitQuiet(35, 1.0, 3));
    assertEquals(
        45.0, BenchSettings.parse(new String[] {"--jit-quiet-max", "45"}).jitQuietMaxSeconds);
  }

  @Test
  void theJitQuietRoundsWarmEveryMeasuredSizeNotOnly4KiB() {
    assertEquals(
        java.util.List.of(4096L, 1L << 20), PeerBench.warmupSizes(java.util.List.of(1L << 20)));
    assertEquals(java.util.List.of(4096L), PeerBench.warmupSizes(java.util.List.of(4096L)));
  }

  @Test
  void aJitQuietRoundHoldsAtMost128MiB() {
    assertEquals(128, PeerBench.warmupRoundFiles(4096, 16));
    assertEquals(20, PeerBench.warmupRoundFiles(4096, 1));
    assertEquals(128, PeerBench.warmupRoundFiles(1L << 20, 16));
    assertEquals(4, PeerBench.warmupRoundFiles(32L << 20, 16));
  }

  @Test
  void ourWarmUpLastsPastTheServersFirstMaintenanceMinute() throws Exception {
    String line =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 40 0 99 0";
    assertEquals(99, ServerCpu.startTicks(line));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ServerCpu.startTicks("1 (x) S 1 2"));
    assertEquals(60.0, PeerBench.secondsToRun(30.0, 90), 1e-9, "youngest server up 30 s");
    assertEquals(0.0, PeerBench.secondsToRun(120.0, 90), 1e-9, "already past");
    assertEquals(0.0, PeerBench.secondsToRun(10.0, 0), 1e-9, "off");
    long self = ProcessHandle.current().pid();
    double up = ServerCpu.secondsUp(self);
    org.junit.jupiter.api.Assertions.assertTrue(up > 0 && up < 24 * 3600, "this JVM up " + up);
    assertEquals(75.0, BenchSettings.parse(new String[] {"--warmup-past", "75"}).warmupPastSeconds);
  }

  @Test
  void withThreadsTheWarmUpListsTheStoragesAsTheMeasuredPhasesDo() {
    org.junit.jupiter.api.Assertions.assertTrue(PeerBench.listsStorages(4));
    org.junit.jupiter.api.Assertions.assertFalse(PeerBench.listsStorages(0));
  }
}
