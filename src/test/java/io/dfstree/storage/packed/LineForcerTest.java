package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lines are synced in the background, and never more than the bound waits for a sync. */
class LineForcerTest {
  @Test
  void theBackgroundSyncCoversWhatWasWrittenAndABlockedSyncBoundsTheBacklog() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstStarted = new CountDownLatch(1);
    SlotLog log =
        new SlotLog() {
          @Override
          public void placed(List<Placed> slots) {}

          @Override
          public void force() {
            firstStarted.countDown();
            if (Thread.currentThread().getName().equals("forcer-test")) {
              try {
                release.await(10, TimeUnit.SECONDS); // a slow disk: the background sync hangs
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            forces.incrementAndGet();
          }
        };
    try (LineForcer f = new LineForcer(log, 1000, "forcer-test")) {
      f.wrote(600);
      assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
      f.bound(); // 600 <= 1000: no sync here
      assertEquals(0, forces.get());
      f.wrote(600);
      assertEquals(1200, f.unsynced());
      f.bound(); // past the bound while the background one hangs: synced here
      assertEquals(1, forces.get());
      assertEquals(0, f.unsynced());
      release.countDown();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (forces.get() < 2 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertEquals(2, forces.get(), "the background sync ended too");
      assertEquals(0, f.unsynced());
    }
  }
  @Test
  void linesWrittenWhileItLingersShareOneSync() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    SlotLog log =
        new SlotLog() {
          @Override
          public void placed(List<Placed> slots) {}

          @Override
          public void force() {
            forces.incrementAndGet();
          }
        };
    try (LineForcer f = new LineForcer(log, 1 << 20, 500, "forcer-linger")) {
      for (int batch = 0; batch < 5; batch++) {
        f.wrote(100); // five batches' lines, well within the linger
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.unsynced() > 0 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertEquals(0, f.unsynced(), "synced after the linger");
      assertEquals(1, forces.get(), "one sync for the five batches");
      f.wrote(100);
    }
    assertEquals(2, forces.get(), "closing syncs what is left at once");
  }
}
