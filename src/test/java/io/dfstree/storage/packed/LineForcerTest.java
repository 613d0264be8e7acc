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
}
