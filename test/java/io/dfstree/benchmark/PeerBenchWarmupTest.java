package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Group and single-node rows must be measured at the same JIT warmth (benchmark/PROFILE.md). */
class PeerBenchWarmupTest {
  @Test
  void eachStorageOfAGroupGetsTheWarmUpOfASingleNode() {
    assertEquals(400, PeerBench.warmupFiles(400, false));
    assertEquals(800, PeerBench.warmupFiles(400, true));
  }

  @Test
  void aSystemNamesStoreSuffixIsTakenOffAndItsNameChecked() {
    assertEquals("ours", PeerBench.withoutStoreSuffix("ours-plain"));
    assertEquals("ours-w1", PeerBench.withoutStoreSuffix("ours-w1-packed"));
    assertEquals("fastdfs", PeerBench.withoutStoreSuffix("fastdfs"));
    assertEquals(
        java.util.List.of("ours-plain", "ours-w1-packed"),
        PeerBench.Settings.parse(new String[] {"--systems", "ours-plain,ours-w1-packed"}).systems);
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> PeerBench.Settings.parse(new String[] {"--systems", "minio-plain"}));
  }
}
