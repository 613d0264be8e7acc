package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real cluster from the fat jar: 2 trackers and 2 groups × 2 storages as separate JVMs joined by
 * Hazelcast on loopback, write quorum 2, driven by the official FastDFS Java client. Storages are
 * killed with SIGKILL under load, a tracker is killed, an empty member joins.
 *
 * <p>The load during the kills is paced ({@value #PAUSE_MS} ms between uploads per thread) and
 * every load is capped at {@value #MAX_UPLOADS_PER_PHASE} uploads: every acknowledged file is
 * downloaded and compared on every member several times and caught up by every restarted or new
 * member, so an unpaced load made the run's length follow the machine's speed (516 s in CI, with
 * gigabytes of files).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {
  static final long PAUSE_MS = 100;
  static final int MAX_UPLOADS_PER_PHASE = 4000;
  static final Duration STARTUP = Duration.ofSeconds(180);
  static LoopbackCluster cluster;
  static final Map<Integer, LoopbackCluster.Storage> members = new ConcurrentHashMap<>();

  /** Every upload the client saw acknowledged: file id → content. */
  static final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();

  static final String[] STORAGE_SETTINGS = {
    "subdirCount=16",
    "fsync=false",
    "reservedSpace=1M",
    "heartbeatIntervalMs=500",
    "peerTimeoutMs=2000",
    "replicaTimeoutMs=3000",
    "catchUpIntervalMs=200",
    "writeQuorum=2"
  };

  @BeforeAll
  static void startCluster() throws Exception {
    long t0 = System.nanoTime();
    cluster =
        new LoopbackCluster(
            "failover", List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // one JVM at a time: six starting at once on a loaded 2-core machine outlasted the server's own
    // 60 s limit for joining the cluster
    for (int i = 0; i < 2; i++) {
      cluster.startTracker(STARTUP, "heartbeatTimeoutMs=2500");
    }
    int[][] layout = {{201, 1}, {202, 1}, {301, 2}, {302, 2}};
    for (int[] m : layout) {
      LoopbackCluster.Storage member = cluster.storage(m[0], "group" + m[1], STORAGE_SETTINGS);
      members.put(member.id, member);
      member.start().awaitStarted(STARTUP);
    }
    ClientGlobal.initByTrackers(cluster.trackerList());
    ClientGlobal.g_network_timeout = 10000;
    ClientGlobal.g_connect_timeout = 3000;
    for (LoopbackCluster.Storage m : members.values()) {
      awaitActive(m, 0);
      awaitActive(m, 1);
    }
    log("cluster up", t0);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static void log(String what, long t0) {
    System.out.printf(
        "ClusterFailoverIT: %s in %d ms, %d uploads acknowledged so far%n",
        what, (System.nanoTime() - t0) / 1_000_000, acknowledged.size());
  }

  static void awaitActive(LoopbackCluster.Storage m, int tracker) throws Exception {
    m.awaitStatus(tracker, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
  }

  /**
   * Client threads uploading random small files through the trackers until {@code stop}, each
   * pausing {@code pauseMs} after an upload, {@value #MAX_UPLOADS_PER_PHASE} uploads at most.
   */
  static List<Thread> load(
      AtomicBoolean stop, AtomicInteger ok, AtomicInteger errors, int threads, long pauseMs) {
    List<Thread> out = new ArrayList<>();
    AtomicInteger budget = new AtomicInteger(MAX_UPLOADS_PER_PHASE);
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread th =
          new Thread(
              () -> {
                Random rnd = new Random(seed);
                while (!stop.get() && budget.getAndDecrement() > 0) {
                  byte[] data = new byte[1 + rnd.nextInt(48 * 1024)];
                  rnd.nextBytes(data);
                  try {
                    TrackerClient tc = new TrackerClient();
                    TrackerServer ts = tc.getConnection();
                    if (ts == null) {
                      errors.incrementAndGet();
                      Thread.sleep(100);
                      continue;
                    }
                    try {
                      String[] id = new StorageClient(ts, null).upload_file(data, "bin", null);
                      if (id != null) {
                        acknowledged.put(id[0] + "/" + id[1], data);
                        ok.incrementAndGet();
                      } else {
                        errors.incrementAndGet();
                      }
                    } finally {
                      ts.close();
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                  try {
                    Thread.sleep(pauseMs);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "load-" + t);
      th.start();
      out.add(th);
    }
    return out;
  }

  static void verifyOn(LoopbackCluster.Storage m) throws Exception {
    // one connection for the whole check: a StorageClient never closes a StorageServer it is given
    StorageServer server = new StorageServer("127.0.0.1", m.port, 0);
    try {
      verifyOn(m, new StorageClient(null, server));
    } finally {
      server.close();
    }
  }

  static void verifyOn(LoopbackCluster.Storage m, StorageClient client) throws Exception {
    int checked = 0;
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      String group = e.getKey().substring(0, e.getKey().indexOf('/'));
      if (!group.equals(m.group)) {
        continue;
      }
      String remote = e.getKey().substring(group.length() + 1);
      byte[] got;
      try {
        got = client.download_file(group, remote);
      } catch (java.io.IOException broken) {
        Path log = cluster.dir.resolve("log-" + m.id + "-" + System.nanoTime() + ".txt");
        Files.writeString(log, m.server.output());
        throw new AssertionError(
            "download of "
                + e.getKey()
                + " from "
                + m.id
                + " broke: "
                + broken
                + " (log "
                + log
                + ")");
      }
      if (got == null) {
        StringBuilder why =
            new StringBuilder("storage " + m.id + " lost acknowledged " + e.getKey());
        for (LoopbackCluster.Storage other : members.values()) {
          if (other.group.equals(group) && other.server != null) {
            Path log = cluster.dir.resolve("log-" + other.id + "-" + System.nanoTime() + ".txt");
            Files.writeString(log, other.server.output());
            why.append("\n--- ").append(other.id).append(" (full log: ").append(log).append("): ");
            for (String line : other.server.stdout().split("\n")) {
              if ((line.contains(remote)
                      || line.contains("WARN")
                      || line.contains("ERROR")
                      || line.contains("caught up")
                      || line.contains("ACTIVE")
                      || line.contains("peer"))
                  && !line.contains("degraded")) {
                why.append("\n").append(line);
              }
            }
          }
        }
        fail(why.toString());
      }
      assertArrayEquals(e.getValue(), got, "bytes of " + e.getKey() + " on " + m.id);
      checked++;
    }
    assertTrue(checked > 0, "nothing to verify on " + m.id);
  }

  @Test
  @Order(1)
  void killedStoragesLoseNoAcknowledgedUpload() throws Exception {
    long t0 = System.nanoTime();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<Thread> threads = load(stop, ok, errors, 4, PAUSE_MS);
    try {
      for (int round = 0; round < 3; round++) {
        LoopbackCluster.Storage victim = members.get(round % 2 == 0 ? 201 : 202);
        LoopbackCluster.Storage survivor = members.get(round % 2 == 0 ? 202 : 201);
        Thread.sleep(1500);
        victim.server.process.destroyForcibly(); // SIGKILL: no goodbye, no flush
        victim.server.process.waitFor();
        Thread.sleep(2500);
        // everything acknowledged so far is on the survivor, byte for byte
        verifyOn(survivor);
        victim.start();
        victim.server.awaitStarted(STARTUP);
        awaitActive(victim, 0);
        log("kill round " + round + " (" + ok.get() + " ok, " + errors.get() + " errors)", t0);
      }
      Thread.sleep(1000);
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
    assertTrue(
        ok.get() > 50, "load made progress: " + ok.get() + " ok, " + errors.get() + " errors");
    for (LoopbackCluster.Storage m : members.values()) {
      awaitActive(m, 0);
    }
    // the killed members caught up: every acknowledged upload is on both members of its group
    for (LoopbackCluster.Storage m : members.values()) {
      verifyOn(m);
    }
    log("kills verified", t0);
  }

  @Test
  @Order(2)
  void clientsCarryOnThroughTheOtherTrackerWhenOneIsKilled() throws Exception {
    long t0 = System.nanoTime();
    cluster.trackers.get(0).process.destroyForcibly();
    cluster.trackers.get(0).process.waitFor();
    int before = acknowledged.size();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<Thread> threads = load(stop, ok, errors, 2, 0); // 3 s only
    Thread.sleep(3000);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertTrue(
        ok.get() > 20,
        "uploads through the surviving tracker: " + ok.get() + " ok, " + errors.get() + " errors");
    assertTrue(acknowledged.size() > before);
    for (LoopbackCluster.Storage m : members.values()) {
      verifyOn(m);
    }
    log("tracker kill verified (" + ok.get() + " ok)", t0);
  }

  @Test
  @Order(3)
  void anEmptyMemberJoinsReceivesEveryFileAndTurnsActive() throws Exception {
    long t0 = System.nanoTime();
    LoopbackCluster.Storage fresh = cluster.storage(203, "group1", STORAGE_SETTINGS);
    members.put(fresh.id, fresh);
    fresh.start();
    fresh.server.awaitStarted(STARTUP);
    awaitActive(fresh, 1);
    assertTrue(
        fresh.server.awaitOutput("caught up with", Duration.ofSeconds(5)), fresh.server.output());
    int files = 0;
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      if (e.getKey().startsWith("group1/")) {
        // on its own disk (a file, or a packed slot), not fetched on demand
        byte[] stored = fresh.storedBytes(e.getKey().substring("group1/".length()));
        assertTrue(stored != null, "new member is missing " + e.getKey());
        assertArrayEquals(e.getValue(), stored);
        files++;
      }
    }
    assertTrue(files > 0);
    log("new member caught up with " + files + " files", t0);
  }

  @Test
  @Order(4)
  void readYourWriteFromEveryMemberRightAfterTheUpload() throws Exception {
    Random rnd = new Random(42);
    int enoent = 0;
    for (int i = 0; i < 100; i++) {
      byte[] data = new byte[1 + rnd.nextInt(20000)];
      rnd.nextBytes(data);
      TrackerServer ts = new TrackerClient().getConnection();
      String[] id;
      try {
        id = new StorageClient(ts, null).upload_file("group1", data, "dat", null);
      } finally {
        ts.close();
      }
      assertNotNull(id);
      for (LoopbackCluster.Storage m : members.values()) {
        if (m.group.equals("group1")) {
          StorageServer server = new StorageServer("127.0.0.1", m.port, 0);
          byte[] got;
          try {
            got = new StorageClient(null, server).download_file(id[0], id[1]);
          } finally {
            server.close();
          }
          if (got == null) {
            enoent++;
          } else {
            assertArrayEquals(data, got);
          }
        }
      }
    }
    assertEquals(0, enoent, "downloads that missed a just-acknowledged upload");
  }
}
