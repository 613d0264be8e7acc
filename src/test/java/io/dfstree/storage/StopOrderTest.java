package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A storage that stops while a change is still on a disk thread: the change ends with its binlog
 * line (the binlog is closed only after the disk tasks drained), and a change that comes after the
 * stop began is refused with EBUSY before it touches the disk.
 */
class StopOrderTest {
  @Test
  void aChangeRunningAtStopStillWritesItsBinlogLineAndLaterOnesAreRefused() throws Exception {
    try (OneStorage storage = OneStorage.start("stop-order")) {
      Vertx vertx = storage.vertx;
      StorageNode node = storage.node;
      Binlog binlog = node.files.binlog();
      long before = binlog.size();

      // a change on a disk thread that writes its binlog line only after the stop has begun
      CountDownLatch stopBegan = new CountDownLatch(1);
      Future<Void> change =
          node.disk.executeBlocking(
              () -> {
                assertTrue(stopBegan.await(10, TimeUnit.SECONDS));
                Thread.sleep(300); // the old stop closed the binlog within this time
                binlog.append(
                    StoredFiles.now(), Binlog.CREATE, "M00/00/00/stop-order-test.bin", null, true);
                return null;
              },
              false);

      Future<Void> undeployed = vertx.undeploy(storage.deployment);
      stopBegan.countDown();
      org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(node.disk::draining);
      Future<Object> late = node.disk.executeBlocking(() -> "ran", false);

      change.await(15, TimeUnit.SECONDS); // threw ClosedChannelException before the drain
      undeployed.await(15, TimeUnit.SECONDS);
      assertTrue(binlog.size() > before, "the line of the change that was running is written");

      assertTrue(late.failed(), "a disk task submitted after the stop began must not run");
      FdfsException refused = assertInstanceOf(FdfsException.class, late.cause());
      assertEquals(Errno.EBUSY, refused.errno());
    }
  }
}
