package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: every caller returns after a force that began after its call, and forces are
 * shared.
 */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void everyCommitIsCoveredByALaterForceAndConcurrentCommitsShareForces() throws Exception {
    GroupCommit gc = new GroupCommit();
    AtomicLong clock = new AtomicLong();
    AtomicLong lastFinishedForceStart = new AtomicLong(-1);
    AtomicInteger forces = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    int threads = 8;
    int each = 100;
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      ts[t] =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  long called = clock.incrementAndGet();
                  try {
                    gc.commit(
                        () -> {
                          long started = clock.incrementAndGet();
                          forces.incrementAndGet();
                          try {
                            Thread.sleep(1);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          lastFinishedForceStart.accumulateAndGet(started, Math::max);
                        });
                  } catch (IOException e) {
                    violations.incrementAndGet();
                  }
                  if (lastFinishedForceStart.get() < called) {
                    violations.incrementAndGet();
                  }
                }
              });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    assertEquals(
        0, violations.get(), "a commit returned before a force that started after it had finished");
    assertTrue(
        forces.get() < threads * each,
        "concurrent commits share forces: " + forces.get() + " forces");
  }

  @Test
  void aFailedForceFailsItsCallersAndTheNextCommitForcesAgain() throws Exception {
    GroupCommit gc = new GroupCommit();
    assertThrows(
        IOException.class,
        () ->
            gc.commit(
                () -> {
                  throw new IOException("disk gone");
                }));
    AtomicInteger forced = new AtomicInteger();
    gc.commit(forced::incrementAndGet);
    assertEquals(1, forced.get(), "not covered by the failed force");
  }

  @Test
  void durableBinlogAppendsFromManyThreadsKeepEveryWholeLine() throws Exception {
    Binlog log = new Binlog(dir.resolve("binlog"));
    Thread[] ts = new Thread[4];
    for (int t = 0; t < ts.length; t++) {
      int id = t;
      ts[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 50; i++) {
                  try {
                    log.append(1000 + i, Binlog.CREATE, "M00/00/00/t" + id + "-" + i, null, true);
                  } catch (IOException e) {
                    throw new RuntimeException(e);
                  }
                }
              });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    log.close();
    List<String> lines = Files.readAllLines(dir.resolve("binlog"), StandardCharsets.US_ASCII);
    assertEquals(200, lines.size());
    assertEquals(
        200,
        Binlog.parse(Files.readAllBytes(dir.resolve("binlog")), 0).size(),
        "every line parses");
  }
}
