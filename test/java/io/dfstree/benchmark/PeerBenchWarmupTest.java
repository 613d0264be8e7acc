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
}
