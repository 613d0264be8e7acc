package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dfstree.TestPorts;
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
 * A real cluster from the fat jar: 2 trackers and 2 groups × 2 storages as separate JVMs joined
 * by Hazelcast on loopback, write quorum 2, driven by the official FastDFS Java client.
 * Storages are killed with SIGKILL under load, a tracker is killed, an empty member joins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {
  static final String CLUSTER = "failover-" + ProcessHandle.current().pid();
  static Path dir;
  static final List<Jar.Server> trackers = new ArrayList<>();
  static final int[] trackerPorts = new int[2];
  static final Map<Integer, Member> members = new ConcurrentHashMap<>();
  /** Every upload the client saw acknowledged: file id → content. */
  static final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();

  /** One storage process and how to restart it on the same data. */
  static final class Member {
    final int id;
    final String group;
    final int port;
    final Path data;
    Jar.Server server;

    Member(int id, String group, int port, Path data) {
      this.id = id;
      this.group = group;
      this.port = port;
      this.data = data;
    }

    void start() throws Exception {
      server = Jar.Server.start(dir, List.of("-Xmx256m"), Map.of(), "storage", "--cluster",
          "--set", "cluster.name=" + CLUSTER, "--set", "storage.id=" + id, "--set", "storage.group=" + group,
          "--set", "storage.port=" + port, "--set", "storage.storePaths=" + data, "--set", "storage.subdirCount=16",
          "--set", "storage.fsync=false", "--set", "storage.reservedSpace=1M", "--set", "storage.heartbeatIntervalMs=500",
          "--set", "storage.peerTimeoutMs=2000", "--set", "storage.replicaTimeoutMs=3000",
          "--set", "storage.catchUpIntervalMs=200", "--set", "storage.writeQuorum=2");
    }

    Path file(String remoteName) {
      return data.resolve("data").resolve(remoteName.substring(4));
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    dir = Files.createTempDirectory("dfstree-cluster");
    for (int i = 0; i < 2; i++) {
      trackerPorts[i] = TestPorts.free();
      trackers.add(Jar.Server.start(dir, List.of("-Xmx256m"), Map.of(), "tracker", "--cluster",
          "--set", "cluster.name=" + CLUSTER, "--set", "tracker.port=" + trackerPorts[i],
          "--set", "tracker.heartbeatTimeoutMs=2500"));
    }
    for (Jar.Server t : trackers) {
      t.awaitStarted(Duration.ofSeconds(60));
    }
    int[][] layout = {{201, 1}, {202, 1}, {301, 2}, {302, 2}};
    for (int[] m : layout) {
      Member member = new Member(m[0], "group" + m[1], TestPorts.free(), dir.resolve("s" + m[0]));
      members.put(member.id, member);
      member.start();
    }
    for (Member m : members.values()) {
      m.server.awaitStarted(Duration.ofSeconds(60));
    }
    ClientGlobal.initByTrackers("127.0.0.1:" + trackerPorts[0] + ",127.0.0.1:" + trackerPorts[1]);
    ClientGlobal.g_network_timeout = 10000;
    ClientGlobal.g_connect_timeout = 3000;
    for (Member m : members.values()) {
      awaitActive(m, 0);
      awaitActive(m, 1);
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Member m : members.values()) {
      if (m.server != null) {
        m.server.close();
      }
    }
    for (Jar.Server t : trackers) {
      t.close();
    }
    io.dfstree.TempTrees.delete(dir); // gigabytes after the load phases
  }

  /** Status code of {@code m} as tracker {@code t} sees it, or -1. */
  static int status(Member m, int t) {
    return LoopbackCluster.status(trackerPorts[t], m.group, m.id);
  }

  static void awaitActive(Member m, int tracker) throws Exception {
    long end = System.currentTimeMillis() + 60_000;
    while (status(m, tracker) != 7) {
      if (System.currentTimeMillis() > end) {
        fail("storage " + m.id + " not ACTIVE at tracker " + tracker + "\n" + m.server.output());
      }
      Thread.sleep(200);
    }
  }

  /** Client threads uploading random small files through the trackers until {@code stop}. */
  static List<Thread> load(AtomicBoolean stop, AtomicInteger ok, AtomicInteger errors, int threads) {
    List<Thread> out = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        Random rnd = new Random(seed);
        while (!stop.get()) {
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
        }
      }, "load-" + t);
      th.start();
      out.add(th);
    }
    return out;
  }

  static void verifyOn(Member m) throws Exception {
    // one connection for the whole check: a StorageClient never closes a StorageServer it is given
    StorageServer server = new StorageServer("127.0.0.1", m.port, 0);
    try {
      verifyOn(m, new StorageClient(null, server));
    } finally {
      server.close();
    }
  }

  static void verifyOn(Member m, StorageClient client) throws Exception {
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
        Path log = dir.resolve("log-" + m.id + "-" + System.nanoTime() + ".txt");
        Files.writeString(log, m.server.output());
        throw new AssertionError("download of " + e.getKey() + " from " + m.id + " broke: " + broken + " (log " + log + ")");
      }
      if (got == null) {
        StringBuilder why = new StringBuilder("storage " + m.id + " lost acknowledged " + e.getKey());
        for (Member other : members.values()) {
          if (other.group.equals(group) && other.server != null) {
            Path log = dir.resolve("log-" + other.id + "-" + System.nanoTime() + ".txt");
            Files.writeString(log, other.server.output());
            why.append("\n--- ").append(other.id).append(" (full log: ").append(log).append("): ");
            for (String line : other.server.stdout().split("\n")) {
              if ((line.contains(remote) || line.contains("WARN") || line.contains("ERROR") || line.contains("caught up")
                  || line.contains("ACTIVE") || line.contains("peer")) && !line.contains("degraded")) {
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
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<Thread> threads = load(stop, ok, errors, 4);
    try {
      for (int round = 0; round < 3; round++) {
        Member victim = members.get(round % 2 == 0 ? 201 : 202);
        Member survivor = members.get(round % 2 == 0 ? 202 : 201);
        Thread.sleep(1500);
        victim.server.process.destroyForcibly(); // SIGKILL: no goodbye, no flush
        victim.server.process.waitFor();
        Thread.sleep(2500);
        // everything acknowledged so far is on the survivor, byte for byte
        verifyOn(survivor);
        victim.start();
        victim.server.awaitStarted(Duration.ofSeconds(60));
        awaitActive(victim, 0);
      }
      Thread.sleep(1000);
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
    assertTrue(ok.get() > 50, "load made progress: " + ok.get() + " ok, " + errors.get() + " errors");
    for (Member m : members.values()) {
      awaitActive(m, 0);
    }
    // the killed members caught up: every acknowledged upload is on both members of its group
    for (Member m : members.values()) {
      verifyOn(m);
    }
  }

  @Test
  @Order(2)
  void clientsCarryOnThroughTheOtherTrackerWhenOneIsKilled() throws Exception {
    trackers.get(0).process.destroyForcibly();
    trackers.get(0).process.waitFor();
    int before = acknowledged.size();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<Thread> threads = load(stop, ok, errors, 2);
    Thread.sleep(3000);
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertTrue(ok.get() > 20, "uploads through the surviving tracker: " + ok.get() + " ok, " + errors.get() + " errors");
    assertTrue(acknowledged.size() > before);
    for (Member m : members.values()) {
      verifyOn(m);
    }
  }

  @Test
  @Order(3)
  void anEmptyMemberJoinsReceivesEveryFileAndTurnsActive() throws Exception {
    Member fresh = new Member(203, "group1", TestPorts.free(), dir.resolve("s203"));
    members.put(fresh.id, fresh);
    fresh.start();
    fresh.server.awaitStarted(Duration.ofSeconds(60));
    awaitActive(fresh, 1);
    assertTrue(fresh.server.awaitOutput("caught up with", Duration.ofSeconds(5)), fresh.server.output());
    int files = 0;
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      if (e.getKey().startsWith("group1/")) {
        // on its own disk, not fetched on demand
        Path p = fresh.file(e.getKey().substring("group1/".length()));
        assertTrue(Files.exists(p), "new member is missing " + e.getKey());
        assertArrayEquals(e.getValue(), Files.readAllBytes(p));
        files++;
      }
    }
    assertTrue(files > 0);
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
      for (Member m : members.values()) {
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
