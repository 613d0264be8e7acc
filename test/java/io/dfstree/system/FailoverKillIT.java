package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;
import org.junit.jupiter.api.Test;

/**
 * The kill test of issue 10: 8 threads of the official client upload 64 KiB files through a tracker
 * to a group of two storages (separate JVMs, default heartbeat settings); one storage is SIGKILLed
 * mid-load. Only the uploads in flight on the killed member may fail (at most one per thread;
 * before the trackers watched members they kept routing to the dead one for a heartbeat timeout),
 * each of them succeeds when retried through the tracker, and every acknowledged file must be on
 * the survivor, byte for byte. Then 100 files are deleted while the killed member is away; it
 * restarts and catches up: none of them comes back on either member, and every other acknowledged
 * file is on both.
 *
 * <p>The CI run is short; the measurement in README runs longer: {@code KILL_TEST_SECONDS=30 mvn -B
 * verify -DskipTests=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=FailoverKillIT}.
 */
class FailoverKillIT {
  static final int THREADS = 8;
  static final int SIZE = 64 * 1024;
  static final long RETRY_PAUSE_MS = 200;

  @Test
  void aKilledStorageCostsOnlyTheUploadsInFlightOnIt() throws Exception {
    int seconds = Integer.parseInt(System.getenv().getOrDefault("KILL_TEST_SECONDS", "6"));
    try (LoopbackCluster cluster = new LoopbackCluster("killtest", List.of("-Xmx256m"))) {
      cluster.startTracker(Duration.ofSeconds(180));
      String[] sets = {"subdirCount=16", "fsync=false", "reservedSpace=1M"};
      LoopbackCluster.Storage a = cluster.storage(501, "group1", sets);
      LoopbackCluster.Storage b = cluster.storage(502, "group1", sets);
      a.start();
      b.start();
      a.server.awaitStarted(Duration.ofSeconds(180));
      b.server.awaitStarted(Duration.ofSeconds(180));
      a.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
      b.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
      ClientGlobal.initByTrackers("127.0.0.1:" + cluster.trackerPorts.get(0));
      ClientGlobal.g_network_timeout = 10_000;
      ClientGlobal.g_connect_timeout = 3_000;

      Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger attempts = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger failedAfterRetry = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int seed = t;
        Thread th =
            new Thread(
                () -> {
                  Random rnd = new Random(seed);
                  while (!stop.get()) {
                    byte[] data = new byte[SIZE];
                    rnd.nextBytes(data);
                    attempts.incrementAndGet();
                    if (upload(data, acknowledged)) {
                      continue;
                    }
                    failed.incrementAndGet();
                    // what an application does: pause a moment, ask the tracker again, once
                    try {
                      Thread.sleep(RETRY_PAUSE_MS);
                    } catch (InterruptedException e) {
                      return;
                    }
                    if (!upload(data, acknowledged)) {
                      failedAfterRetry.incrementAndGet();
                    }
                  }
                },
                "kill-load-" + t);
        th.start();
        threads.add(th);
      }
      try {
        // warm up first (JIT, connections): the kill lands in a steady load
        long warm = System.currentTimeMillis() + 60_000;
        while (acknowledged.size() < 150 && System.currentTimeMillis() < warm) {
          Thread.sleep(100);
        }
        int before = attempts.get();
        int failedBefore = failed.get();
        b.server.kill();
        Thread.sleep(seconds * 1000L);
        System.out.printf(
            "kill test: %d uploads (%d failed) before the kill, %d in the %d s after%n",
            before, failedBefore, attempts.get() - before, seconds);
      } finally {
        stop.set(true);
        for (Thread th : threads) {
          th.join(30_000);
        }
      }
      int total = attempts.get();
      System.out.printf(
          "kill test: %d of %d uploads failed (%.2f %%), %d still failed after one retry; %d acknowledged%n",
          failed.get(),
          total,
          100.0 * failed.get() / total,
          failedAfterRetry.get(),
          acknowledged.size());

      int missing = 0;
      StorageServer survivor = new StorageServer("127.0.0.1", a.port, 0);
      try {
        StorageClient client = new StorageClient(null, survivor);
        for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
          int slash = e.getKey().indexOf('/');
          byte[] got =
              client.download_file(e.getKey().substring(0, slash), e.getKey().substring(slash + 1));
          if (got == null) {
            missing++;
          } else {
            assertArrayEquals(e.getValue(), got, e.getKey());
          }
        }
      } finally {
        survivor.close();
      }
      System.out.printf("kill test: %d acknowledged files missing on the survivor%n", missing);
      assertEquals(0, missing, "acknowledged files missing on the survivor");
      assertTrue(total > 250, "the load made progress: " + total);
      // only the uploads in flight on the killed member may fail (at most one per thread); the rest
      // must have been sent to the survivor. Over a longer run that is well under 1 % (README).
      assertTrue(
          failed.get() <= THREADS,
          failed.get()
              + " of "
              + total
              + " uploads failed; at most "
              + THREADS
              + " were in flight on the killed storage\n"
              + cluster.trackers.get(0).output());
      assertEquals(
          0, failedAfterRetry.get(), "uploads that failed again when retried through the tracker");

      // deletes while the killed member is away stay deleted when it comes back and catches up
      List<String> deleted = new ArrayList<>();
      StorageServer onA = new StorageServer("127.0.0.1", a.port, 0);
      try {
        StorageClient client = new StorageClient(null, onA);
        for (String key : acknowledged.keySet()) {
          if (deleted.size() == 100) {
            break;
          }
          int slash = key.indexOf('/');
          assertEquals(
              0,
              client.delete_file(key.substring(0, slash), key.substring(slash + 1)),
              "delete " + key);
          deleted.add(key);
        }
      } finally {
        onA.close();
      }
      deleted.forEach(acknowledged::remove);
      b.start();
      b.server.awaitStarted(Duration.ofSeconds(120));
      b.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(120));
      for (LoopbackCluster.Storage s : List.of(a, b)) {
        StorageServer server = new StorageServer("127.0.0.1", s.port, 0);
        int back = 0;
        int lost = 0;
        try {
          StorageClient client = new StorageClient(null, server);
          for (String key : deleted) {
            int slash = key.indexOf('/');
            if (client.download_file(key.substring(0, slash), key.substring(slash + 1)) != null) {
              back++;
            }
          }
          for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
            int slash = e.getKey().indexOf('/');
            byte[] got =
                client.download_file(
                    e.getKey().substring(0, slash), e.getKey().substring(slash + 1));
            if (got == null) {
              lost++;
            } else {
              assertArrayEquals(e.getValue(), got, e.getKey() + " on " + s.id);
            }
          }
        } finally {
          server.close();
        }
        System.out.printf(
            "kill test: storage %d after the restart: %d of %d deleted files back, %d of %d acknowledged missing%n",
            s.id, back, deleted.size(), lost, acknowledged.size());
        assertEquals(0, back, "deleted files back on " + s.id);
        assertEquals(0, lost, "acknowledged files missing on " + s.id);
      }
    }
  }

  /** One upload through the tracker; true and recorded when acknowledged. */
  private static boolean upload(byte[] data, Map<String, byte[]> acknowledged) {
    try {
      TrackerServer ts = new TrackerClient().getConnection();
      assertNotNull(ts);
      try {
        String[] id = new StorageClient(ts, null).upload_file(data, "bin", null);
        if (id == null) {
          return false;
        }
        acknowledged.put(id[0] + "/" + id[1], data);
        return true;
      } finally {
        ts.close();
      }
    } catch (Exception e) {
      return false;
    }
  }

  static boolean reachable(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
