package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A byte flipped on one member's disk: a small file is checked before it is downloaded and
 * repaired from the peer (the client gets the right bytes), a large one is found by the background
 * scrub and repaired too; both repairs show on /metrics.
 */
class DamagedCopyRepairTest {
  Vertx vertx;
  Path dir;
  int portA;
  int portB;
  int httpA;

  JsonObject storage(int id, int port, String path) {
    JsonObject c = Config.defaults().getJsonObject("storage").copy().put("id", id)
        .put("packed", new JsonObject().put("enabled", false)).put("port", port) // the one-file engine's layout on disk (packed: Packed*Test)
        .put("storePaths", new JsonArray().add(dir.resolve(path).toString())).put("subdirCount", 4)
        .put("reservedSpace", "1M").put("heartbeatIntervalMs", 200).put("catchUpIntervalMs", 100)
        .put("writeQuorum", 2).put("peerTimeoutMs", 1500).put("fsync", false);
    c.getJsonObject("reliability").put("verifyDownloadMaxBytes", "1M").put("scrubBytesPerSecond", "64M")
        .put("scrubPauseMinutes", 0);
    return c;
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("scrub");
    vertx = Launcher.createVertx(new JsonObject(), false).await();
    portA = io.dfstree.TestPorts.free();
    portB = io.dfstree.TestPorts.free();
    httpA = io.dfstree.TestPorts.free();
    // with its HTTP adapter (the composition root adds it): the test reads /metrics from it
    vertx.deployVerticle(io.dfstree.server.Roles.storage(io.dfstree.server.Launcher.meterRegistry(vertx)),
        new DeploymentOptions().setConfig(storage(100001, portA, "a").put("httpPort", httpA))).await();
    vertx.deployVerticle("io.dfstree.storage.StorageVerticle",
        new DeploymentOptions().setConfig(storage(100002, portB, "b"))).await();
    Thread.sleep(600); // a few heartbeats: each storage knows the other
    ClientGlobal.g_network_timeout = 20000;
    ClientGlobal.g_connect_timeout = 5000;
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

  Path onA(String remote) {
    return dir.resolve("a").resolve("data").resolve(remote.substring(4));
  }

  static void flipByte(Path file, long at) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x40);
    }
  }

  double metric(String name) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpA + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aFlippedByteIsCaughtOnDownloadAndByTheScrubAndRepairedFromThePeer() throws Exception {
    StorageClient client = new StorageClient(null, new StorageServer("127.0.0.1", portA, 0));
    byte[] small = bytes(200_000, 1);
    String[] smallId = client.upload_file(small, "bin", null);
    byte[] large = bytes(3_000_000, 2);
    String[] largeId = client.upload_file(large, "bin", null);

    flipByte(onA(smallId[1]), 12_345);
    byte[] got = new StorageClient(null, new StorageServer("127.0.0.1", portA, 0)).download_file(smallId[0], smallId[1]);
    assertArrayEquals(small, got, "the download got the peer's good bytes, not the damaged copy");
    assertArrayEquals(small, Files.readAllBytes(onA(smallId[1])), "the copy on disk is repaired");

    flipByte(onA(largeId[1]), 2_000_000);
    long until = System.currentTimeMillis() + 60_000;
    while (!Arrays.equals(large, Files.readAllBytes(onA(largeId[1]))) && System.currentTimeMillis() < until) {
      Thread.sleep(200);
    }
    assertArrayEquals(large, Files.readAllBytes(onA(largeId[1])), "the scrub found and repaired the large copy");
    assertTrue(metric("dfstree_scrub_repairs_total") >= 2, "repairs on /metrics");
    assertTrue(metric("dfstree_scrub_damaged_total") >= 2, "damaged copies on /metrics");
    assertTrue(metric("dfstree_scrub_files_total") >= 1, "scrub progress on /metrics");
    assertEquals(0, metric("dfstree_scrub_repairs_failed_total"));
  }
}
