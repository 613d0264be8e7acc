package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The phase loop bench and bench-s3 share. */
class PhaseRunnerTest {
  static final class Counting implements PhaseRunner.Worker {
    int failures;
    int ops;

    @Override
    public void afterFailure() {
      failures++;
    }
  }

  static List<Counting> workers(int n) {
    List<Counting> w = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      w.add(new Counting());
    }
    return w;
  }

  @Test
  void everyIndexRunsOnceAcrossTheWorkers() {
    int[] indexes = {5, 3, 9, 0, 7, 1, 8, 2, 6, 4};
    AtomicIntegerArray runs = new AtomicIntegerArray(10);
    List<Counting> workers = workers(3);
    PhaseResult r =
        PhaseRunner.run(
            "upload",
            indexes,
            workers,
            0,
            1024,
            (w, i) -> {
              w.ops++;
              runs.incrementAndGet(i);
            });
    for (int i = 0; i < 10; i++) {
      assertEquals(1, runs.get(i), "index " + i);
    }
    assertEquals("upload", r.operation());
    assertEquals(10, r.count());
    assertEquals(0, r.errors());
    assertNull(r.firstError());
    assertEquals(1024, r.bytesPerOp());
    assertEquals(10, r.latencies().getTotalCount());
    assertEquals(10, workers.stream().mapToInt(w -> w.ops).sum());
    assertTrue(r.seconds() > 0);
  }

  @Test
  void failuresAreCountedNotTimedAndTheWorkerIsToldAfterEach() {
    List<Counting> workers = workers(2);
    PhaseResult r =
        PhaseRunner.run(
            "get",
            PhaseRunner.upTo(9),
            workers,
            0,
            0,
            (w, i) -> {
              if (i % 3 == 0) {
                throw new java.io.IOException("no " + i);
              }
            });
    assertEquals(6, r.count(), "successes only");
    assertEquals(6, r.latencies().getTotalCount());
    assertEquals(3, r.errors());
    assertTrue(r.firstError().startsWith("java.io.IOException: no "), r.firstError());
    assertEquals(3, workers.stream().mapToInt(w -> w.failures).sum());
  }

  @Test
  void maxSecondsStopsStartingOperations() {
    PhaseResult r =
        PhaseRunner.run(
            "slow", PhaseRunner.upTo(1000), workers(2), 0.2, 0, (w, i) -> Thread.sleep(20));
    // 2 threads x 0.2 s / 20 ms is about 20 (more on a loaded machine only if sleeps overrun)
    assertTrue(r.count() < 1000 && r.count() >= 2, "ran " + r.count());
    assertEquals(0, r.errors());
  }

  @Test
  void upToListsTheFirstIndexes() {
    assertArrayEquals(new int[] {0, 1, 2}, PhaseRunner.upTo(3));
    assertArrayEquals(new int[0], PhaseRunner.upTo(0));
  }
}
