package io.dfstree.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Binlog disk use stays bounded under upload/delete churn, and a member that joins after the
 * history was trimmed gets exactly the live files from a snapshot: nothing missing, nothing deleted
 * back. Segments are tiny (2 KiB, ~30 lines) so the run rotates dozens of times.
 */
class BinlogSnapshotCatchUpTest {
  static final String SECRET = "binlog-snapshot-test-secret";
  static final Pattern SEGMENT = Pattern.compile("binlog\\.(\\d{16})");
  static final long SEGMENT_BYTES = 2048;

  Vertx vertx;
  Path dir;
  int portA;
  int portB;

  JsonObject storage(int id, int port, String path) {
    JsonObject s = Config.defaults().getJsonObject("storage").copy();
    return s.put("id", id)
        .put("port", port)
        .put("storePaths", new JsonArray().add(dir.resolve(path).toString()))
        .put("subdirCount", 4)
        .put("reservedSpace", "1M")
        .put("heartbeatIntervalMs", 200)
        .put("catchUpIntervalMs", 100)
        .put("writeQuorum", 1)
        .put("peerTimeoutMs", 1500)
        .put("fsync", false) // seconds, not minutes, on a busy disk
        // the one-file layout: the test follows files on disk by name (PackedReplicationTest
        // covers catch-up of packed slots)
        .put("packed", new JsonObject().put("enabled", false))
        .put("reliability", s.getJsonObject("reliability").copy().put("binlogSegmentBytes", "2K"));
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("binlog-snap");
    vertx = Launcher.createVertx(new JsonObject(), false).await();
    vertx
        .sharedData()
        .getLocalMap(io.dfstree.storage.StorageVerticle.LOCAL_SETTINGS)
        .put(io.dfstree.storage.StorageVerticle.CLUSTER_SECRET, SECRET);
    portA = TestPorts.free();
    portB = TestPorts.free();
    deploy(storage(100001, portA, "a"));
    deploy(storage(100002, portB, "b"));
    Thread.sleep(600); // a few heartbeats: each storage knows the other
    ClientGlobal.g_network_timeout = 20000;
    ClientGlobal.g_connect_timeout = 5000;
  }

  void deploy(JsonObject config) {
    vertx
        .deployVerticle(
            "io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(config))
        .await();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await();
    io.dfstree.TempTrees.delete(dir);
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  Path sync(String member) {
    return dir.resolve(member).resolve("data").resolve("sync");
  }

  /** Binlog bytes on disk: the head and every older segment. */
  long binlogBytes(String member) throws Exception {
    // read while the member writes: a rotation renames the head to a segment, then opens a new
    // head, so a file listed can be gone (or renamed) when its size is asked; read again then
    for (int attempt = 0; ; attempt++) {
      long sum = 0;
      try (Stream<Path> s = Files.list(sync(member))) {
        for (Path p : s.toList()) {
          String n = p.getFileName().toString();
          if (n.equals("binlog") || SEGMENT.matcher(n).matches()) {
            sum += Files.size(p);
          }
        }
        return sum;
      } catch (java.nio.file.NoSuchFileException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  long segments(String member) throws Exception {
    try (Stream<Path> s = Files.list(sync(member))) {
      return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches()).count() + 1;
    }
  }

  /** The oldest logical offset still on disk (0 = nothing was ever trimmed). */
  long firstOffset(String member) throws Exception {
    try (Stream<Path> s = Files.list(sync(member))) {
      var starts =
          s.map(p -> SEGMENT.matcher(p.getFileName().toString()))
              .filter(java.util.regex.Matcher::matches)
              .map(m -> Long.parseLong(m.group(1)))
              .sorted()
              .toList();
      if (!starts.isEmpty()) {
        return starts.get(0);
      }
    }
    Path base = sync(member).resolve("binlog.base");
    return Files.exists(base) ? Long.parseLong(Files.readString(base).trim()) : 0;
  }

  /** Content files under a store path's data/XX/YY/ (not binlog, marks or metadata). */
  Set<String> names(String member) throws Exception {
    Path data = dir.resolve(member).resolve("data");
    // read while the member still catches up: a temporary file under data/.tmp can be renamed
    // away between the walk's listing and its look at it, so such a walk is taken again
    for (int attempt = 0; ; attempt++) {
      try (Stream<Path> walk = Files.walk(data)) {
        return walk.filter(p -> !data.relativize(p).toString().startsWith("."))
            .filter(Files::isRegularFile)
            .filter(p -> data.relativize(p).getNameCount() == 3)
            .map(p -> "M00/" + data.relativize(p))
            .filter(n -> !n.endsWith("-m"))
            .collect(Collectors.toCollection(TreeSet::new));
      } catch (java.io.UncheckedIOException e) {
        if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt == 10) {
          throw e;
        }
      }
    }
  }

  @Test
  void binlogsStayBoundedAndANewMemberGetsExactlyTheLiveSetFromASnapshot() throws Exception {
    StorageClient a = new StorageClient(null, new StorageServer("127.0.0.1", portA, 0));
    StorageClient b = new StorageClient(null, new StorageServer("127.0.0.1", portB, 0));
    Map<String, byte[]> live = new HashMap<>();
    Set<String> deleted = new TreeSet<>();
    long maxOnDisk = 0;
    int rounds = 300;
    long t0 = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      StorageClient to = i % 4 == 3 ? b : a; // both members take uploads: both binlogs rotate
      byte[] data = bytes(200 + (i * 37) % 3000, i);
      String[] id = to.upload_file(data, "bin", null);
      assertEquals("group1", id[0]);
      live.put(id[1], data);
      if (i % 3 != 0) { // two of three files go again, some from the other member
        StorageClient from = i % 10 == 1 ? (to == a ? b : a) : to;
        if (from != to) {
          String name = id[1];
          Path there = dir.resolve(to == a ? "b" : "a").resolve("data").resolve(name.substring(4));
          await()
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(10))
              .until(() -> Files.exists(there));
        }
        assertEquals(0, from.delete_file(id[0], id[1]), "delete " + id[1]);
        live.remove(id[1]);
        deleted.add(id[1]);
      }
      if (i % 50 == 0) {
        maxOnDisk = Math.max(maxOnDisk, Math.max(binlogBytes("a"), binlogBytes("b")));
      }
    }
    // every member read the other's binlog to its end: the segments behind them go
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> segments("a") <= 3 && segments("b") <= 3);
    long firstA = firstOffset("a");
    long firstB = firstOffset("b");
    assertTrue(firstA > 0 && firstB > 0, "history trimmed on both: " + firstA + ", " + firstB);
    long endA = firstA + binlogBytes("a");
    System.out.printf(
        "binlog churn: %d uploads, %d deletes; logical binlog A %d B %d bytes; on disk now A %d B %d bytes"
            + " (%d, %d segments); largest seen on disk %d bytes%n",
        rounds,
        deleted.size(),
        endA,
        firstB + binlogBytes("b"),
        binlogBytes("a"),
        binlogBytes("b"),
        segments("a"),
        segments("b"),
        maxOnDisk);
    // the peak during the churn depends on how many 2 s trim ticks it spanned (a quiet machine
    // churns through in fewer); what must hold is that, once members caught up, only a few
    // segments of everything written are left on disk
    long nowOnDisk = Math.max(binlogBytes("a"), binlogBytes("b"));
    assertTrue(
        nowOnDisk < endA / 4,
        "binlog on disk bounded: "
            + nowOnDisk
            + " of "
            + endA
            + " bytes written (peak "
            + maxOnDisk
            + ")");

    long churnMs = (System.nanoTime() - t0) / 1_000_000;
    // a new member: the history from offset 0 is gone on both peers, so it starts from their
    // snapshots
    int portC = TestPorts.free();
    deploy(storage(100003, portC, "c"));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> names("c").equals(live.keySet()));
    System.out.printf(
        "binlog churn took %d ms; the new member held the live set %d ms after it started%n",
        churnMs, (System.nanoTime() - t0) / 1_000_000 - churnMs);
    Thread.sleep(1500); // more catch-up rounds: nothing deleted comes back later either
    Set<String> onC = names("c");
    assertEquals(live.keySet(), onC, "exactly the live set on the new member");
    for (String gone : deleted) {
      assertTrue(!onC.contains(gone), gone + " came back");
    }
    for (Map.Entry<String, byte[]> e : live.entrySet()) {
      assertArrayEquals(
          e.getValue(),
          Files.readAllBytes(dir.resolve("c").resolve("data").resolve(e.getKey().substring(4))),
          e.getKey());
    }
    // it follows the binlog from the snapshot's offset: a file uploaded now reaches it
    byte[] after = bytes(999, 4242);
    String[] id = a.upload_file(after, "bin", null);
    Path onC2 = dir.resolve("c").resolve("data").resolve(id[1].substring(4));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(onC2));
    assertArrayEquals(after, Files.readAllBytes(onC2));
    // and its marks point past the trimmed history, not at 0
    for (String peer : new String[] {"100001", "100002"}) {
      long mark =
          Long.parseLong(Files.readString(sync("c").resolve(peer + ".mark")).trim().split(" ")[0]);
      assertTrue(
          mark >= firstOffset(peer.equals("100001") ? "a" : "b"),
          "mark of " + peer + " at " + mark);
    }
  }
}
