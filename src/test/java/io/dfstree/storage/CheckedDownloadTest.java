package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A download of a one-file blob too large to be read into one buffer ({@link SmallDownload}) but
 * checked against its name first ({@code verifyDownloadMaxBytes}, 1M by default): the stat and the
 * check are one disk call, then the bytes go out with sendfile; ranges are served from the same
 * checked file, and a damaged copy with no peer to repair it is refused, not sent.
 */
class CheckedDownloadTest {
  Path dir;
  Vertx vertx;
  StorageNode node;
  int port;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("checked-download");
    port = TestPorts.free();
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("port", port)
            .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 2)
            .put("reservedSpace", "1M");
    vertx = Vertx.vertx();
    StorageVerticle storage = new StorageVerticle();
    vertx.deployVerticle(storage, new DeploymentOptions().setConfig(c)).await(30, TimeUnit.SECONDS);
    node = storage.node();
    ClientGlobal.g_network_timeout = 30000;
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    io.dfstree.TempTrees.delete(dir);
  }

  StorageClient client() throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void aCheckedDownloadTakesOneDiskCall() throws Exception {
    byte[] content = bytes(1 << 20);
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(id[0], id[1])); // warm
    int downloads = 10;
    long before = node.disk.submitted();
    for (int i = 0; i < downloads; i++) {
      assertArrayEquals(content, client().download_file(id[0], id[1]));
    }
    long calls = node.disk.submitted() - before;
    // two per download before (a stat, then the check); a little room for background work
    assertTrue(calls <= downloads + 3, "disk calls for " + downloads + " downloads: " + calls);
  }

  @Test
  void rangesOfACheckedFileAreItsBytes() throws Exception {
    byte[] content = bytes(300_000);
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(
        Arrays.copyOfRange(content, 123_456, 123_456 + 70_000),
        client().download_file(id[0], id[1], 123_456, 70_000));
    assertArrayEquals(
        Arrays.copyOfRange(content, 250_000, 300_000),
        client().download_file(id[0], id[1], 250_000, 0));
  }

  @Test
  void aDamagedCopyWithNoPeerIsRefusedNotSent() throws Exception {
    byte[] content = bytes(300_000);
    String[] id = client().upload_file(content, "bin", null);
    Path file = dir.resolve("s0").resolve("data").resolve(id[1].substring(4));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(200_000);
      int b = raf.read();
      raf.seek(200_000);
      raf.write(b ^ 0x40);
    }
    StorageClient c = client();
    assertNull(c.download_file(id[0], id[1]), "no bytes for a copy that fails its check");
    assertTrue(c.getErrorCode() != 0, "an error code: " + c.getErrorCode());
  }
}
