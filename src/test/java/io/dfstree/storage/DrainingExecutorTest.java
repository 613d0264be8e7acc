package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stop gate of the disk threads: what was submitted ends, what comes after is refused. */
class DrainingExecutorTest {
  private Vertx vertx;
  private DrainingExecutor disk;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    disk = new DrainingExecutor(vertx.createSharedWorkerExecutor("drain-test", 2));
  }

  @AfterEach
  void stop() throws Exception {
    disk.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void drainWaitsForRunningAndQueuedTasksThenRefusesNewOnes() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    List<Future<Integer>> submitted = new ArrayList<>();
    // five tasks on two threads: two run and block, three wait in the queue
    for (int i = 0; i < 5; i++) {
      submitted.add(
          disk.executeBlocking(
              () -> {
                release.await();
                return ran.incrementAndGet();
              },
              false));
    }
    assertEquals(5, disk.inFlight());

    Thread releaser =
        new Thread(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              release.countDown();
            });
    releaser.start();
    int left = disk.drain(10_000);
    releaser.join();

    assertEquals(0, left, "drain returns only when every submitted task ended");
    assertEquals(5, ran.get(), "queued tasks still ran after the drain began");
    for (Future<Integer> f : submitted) {
      assertTrue(f.await(5, TimeUnit.SECONDS) > 0);
    }

    Future<Integer> late = disk.executeBlocking(ran::incrementAndGet, false);
    Throwable refused = late.failed() ? late.cause() : null;
    FdfsException e = assertInstanceOf(FdfsException.class, refused);
    assertEquals(Errno.EBUSY, e.errno());
    assertEquals(5, ran.get(), "a task submitted after the drain never runs");
  }

  @Test
  void drainGivesUpAfterItsTimeoutAndSaysHowManyAreLeft() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> stuck = disk.executeBlocking(() -> release.await(10, TimeUnit.SECONDS), false);
    long t0 = System.nanoTime();
    int left = disk.drain(150);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(1, left);
    assertTrue(tookMs >= 140, "waited its timeout, took " + tookMs + " ms");
    release.countDown();
    assertTrue(stuck.await(5, TimeUnit.SECONDS));
    assertEquals(0, disk.inFlight());
  }

  @Test
  void failingTasksAreCountedAsEnded() throws Exception {
    Future<Object> failed =
        disk.executeBlocking(
            () -> {
              throw new IllegalStateException("boom");
            },
            false);
    try {
      failed.await(5, TimeUnit.SECONDS);
    } catch (IllegalStateException expected) {
      // the task's own failure reaches its caller unchanged
    }
    assertEquals(0, disk.drain(1_000));
  }
}
