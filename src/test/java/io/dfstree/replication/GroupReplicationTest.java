package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two storages of one group in one JVM (local event bus): uploads reach both before they are
 * acknowledged (W = 2), later changes reach the peer through its binlog, a member that was away
 * catches up, and a member asked for a file it lacks fetches it.
 */
class GroupReplicationTest {
  Vertx vertx;
  Path dir;
  int portA;
  int portB;
  int httpA;
  String deployB;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  JsonObject storage(int id, int port, String path, int quorum) {
    return Config.defaults().getJsonObject("storage").copy().put("id", id).put("port", port)
        .put("storePaths", new JsonArray().add(dir.resolve(path).toString())).put("subdirCount", 4)
        .put("reservedSpace", "1M").put("heartbeatIntervalMs", 200).put("catchUpIntervalMs", 100)
        .put("writeQuorum", quorum).put("peerTimeoutMs", 1500);
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("repl");
    vertx = Launcher.createVertx(new JsonObject(), false).await();
    portA = freePort();
    portB = freePort();
    httpA = freePort();
    vertx.deployVerticle("io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(
        storage(100001, portA, "a", 2).put("httpPort", httpA))).await();
    deployB = vertx.deployVerticle("io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(storage(100002, portB, "b", 2))).await();
    Thread.sleep(600); // a few heartbeats: each storage knows the other
    ClientGlobal.g_network_timeout = 20000;
    ClientGlobal.g_connect_timeout = 5000;
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  StorageClient client(int port) throws Exception {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void anHttpUploadOfUnknownSizeIsAlsoOnThePeerWhenAcknowledged() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      byte[] data = bytes(300_000 + i * 77_777, 50 + i);
      // an InputStream body has no length: the JDK client sends it chunked
      java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + httpA + "/group1/upload?ext=bin"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data)))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      String fileId = new JsonObject(r.body()).getString("fileId");
      Path onB = dir.resolve("b").resolve("data").resolve(fileId.substring("group1/M00/".length()));
      assertTrue(Files.exists(onB), "replica on B when the HTTP answer arrives: " + fileId);
      assertArrayEquals(data, Files.readAllBytes(onB));
    }
  }

  @Test
  void anAcknowledgedUploadIsAlreadyOnThePeer() throws Exception {
    for (int i = 0; i < 20; i++) {
      byte[] data = bytes(1000 + i * 5000, i);
      String[] id = client(portA).upload_file(data, "bin", null);
      assertNotNull(id);
      // straight to the file on B's disk: no fetch-on-miss can hide a missing replica
      Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
      assertTrue(Files.exists(onB), "replica on B for " + id[1]);
      assertArrayEquals(data, Files.readAllBytes(onB));
      // the name was chosen from a CRC32 computed while the bytes streamed through: it must be right
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(data);
      assertEquals(crc.getValue(), io.dfstree.fileid.FileName.decode(id[1]).crc32Unsigned());
      assertEquals(data.length, io.dfstree.fileid.FileName.decode(id[1]).fileSize());
    }
  }

  @Test
  void deletesAndMetadataReachThePeerThroughTheBinlog() throws Exception {
    byte[] data = bytes(5000, 7);
    String[] id = client(portA).upload_file(data, "txt", new org.csource.common.NameValuePair[] {
        new org.csource.common.NameValuePair("k", "v")});
    Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
    Path metaOnB = onB.resolveSibling(onB.getFileName() + "-m");
    waitFor(() -> Files.exists(metaOnB));
    assertEquals("k\u0002v", Files.readString(metaOnB));
    assertEquals(0, client(portA).delete_file(id[0], id[1]));
    waitFor(() -> !Files.exists(onB) && !Files.exists(metaOnB));
  }

  @Test
  void aMemberThatWasAwayCatchesUp() throws Exception {
    vertx.undeploy(deployB).await();
    Thread.sleep(1800); // B is no longer an active peer: uploads go on degraded (accept)
    String[][] ids = new String[30][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = client(portA).upload_file(bytes(3000 + i, 100 + i), "dat", null);
      assertNotNull(ids[i]);
    }
    vertx.deployVerticle("io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(storage(100002, portB, "b", 2))).await();
    for (int i = 0; i < ids.length; i++) {
      Path onB = dir.resolve("b").resolve("data").resolve(ids[i][1].substring(4));
      int k = i;
      waitFor(() -> Files.exists(onB));
      assertArrayEquals(bytes(3000 + k, 100 + k), Files.readAllBytes(onB));
    }
  }

  @Test
  void aMemberAskedForAFileItLacksFetchesItFromThePeer() throws Exception {
    vertx.undeploy(deployB).await();
    Thread.sleep(1800);
    byte[] data = bytes(70000, 3);
    String[] id = client(portA).upload_file(data, "jpg", null);
    // B comes back with catch-up slowed right down: only fetch-on-miss can answer at once
    JsonObject slow = storage(100002, portB, "b", 2).put("catchUpIntervalMs", 60000);
    vertx.deployVerticle("io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(slow)).await();
    Thread.sleep(400);
    assertArrayEquals(data, client(portB).download_file(id[0], id[1]));
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check c) throws Exception {
    long end = System.currentTimeMillis() + 10000;
    while (!c.ok()) {
      assertTrue(System.currentTimeMillis() < end, "timed out waiting");
      Thread.sleep(50);
    }
  }
}
