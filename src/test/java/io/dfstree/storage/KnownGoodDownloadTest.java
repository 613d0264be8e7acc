package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.dfstree.fileid.FileId;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client's download of a file this process checked or wrote within {@code verifiedReuseSeconds},
 * unchanged since, is sent without reading it to check it. To see that no check ran, the tests
 * damage a byte in place and put the mtime back (what the record cannot see): a trusted download
 * sends it, a checked one refuses it. A change the stat shows is caught at once.
 */
class KnownGoodDownloadTest {
  static final int SIZE = 300_000; // checked, then sent with sendFile (above SmallDownload's 64K)
  Path dir;
  Vertx vertx;
  StorageNode node;
  int port;

  void start(int reuseSeconds) throws Exception {
    dir = Files.createTempDirectory("known-good-download");
    port = TestPorts.free();
    JsonObject storage =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("port", port)
            .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 2)
            .put("reservedSpace", "1M");
    storage.getJsonObject("reliability").put("verifiedReuseSeconds", reuseSeconds);
    vertx = Vertx.vertx();
    StorageVerticle v = new StorageVerticle();
    vertx.deployVerticle(v, new DeploymentOptions().setConfig(storage)).await(30, TimeUnit.SECONDS);
    node = v.node();
    ClientGlobal.g_network_timeout = 30000;
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
      io.dfstree.TempTrees.delete(dir);
    }
  }

  StorageClient client() throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  Path file(String[] id) {
    return dir.resolve("s0").resolve("data").resolve(id[1].substring(4));
  }

  /** Flips one byte; with {@code keepMtime} the size, inode and mtime stay what they were. */
  void damage(Path f, boolean keepMtime) throws Exception {
    FileTime mtime = Files.getLastModifiedTime(f);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(200_000);
      int b = raf.read();
      raf.seek(200_000);
      raf.write(b ^ 0x40);
    }
    Files.setLastModifiedTime(f, keepMtime ? mtime : FileTime.fromMillis(mtime.toMillis() + 2000));
  }

  static byte[] damaged(byte[] content) {
    byte[] d = content.clone();
    d[200_000] ^= 0x40;
    return d;
  }

  @Test
  void aDownloadOfAFileCheckedWithinTheWindowIsNotReadAgain() throws Exception {
    start(30);
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    node.integrity.knownGood.forget(id[1]); // as if written by another process: checked first
    long checks = node.integrity.downloadChecks.get();
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    assertEquals(checks + 1, node.integrity.downloadChecks.get(), "the first download checks");
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(content, client().download_file(id[0], id[1]));
    }
    assertEquals(checks + 1, node.integrity.downloadChecks.get(), "later ones do not");
    damage(file(id), true);
    assertArrayEquals(
        damaged(content), client().download_file(id[0], id[1]), "sent without a check read");
  }

  @Test
  void aDownloadOfAFileThisProcessUploadedIsNotChecked() throws Exception {
    start(30);
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    long checks = node.integrity.downloadChecks.get();
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    assertEquals(checks, node.integrity.downloadChecks.get());
  }

  @Test
  void aFileDamagedWithAChangedMtimeOrSizeIsCaughtAtOnce() throws Exception {
    start(30);
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    damage(file(id), false);
    StorageClient c = client();
    assertNull(c.download_file(id[0], id[1]), "a changed mtime is checked");
    assertTrue(c.getErrorCode() != 0);

    String[] other = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(other[0], other[1]));
    FileTime mtime = Files.getLastModifiedTime(file(other));
    try (RandomAccessFile raf = new RandomAccessFile(file(other).toFile(), "rw")) {
      raf.setLength(SIZE - 1);
    }
    Files.setLastModifiedTime(file(other), mtime);
    c = client();
    assertNull(c.download_file(other[0], other[1]), "a changed size is checked");
    assertTrue(c.getErrorCode() != 0);
  }

  @Test
  void withZeroSecondsEveryDownloadChecks() throws Exception {
    start(0);
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    long checks = node.integrity.downloadChecks.get();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(content, client().download_file(id[0], id[1]));
    }
    assertEquals(checks + 3, node.integrity.downloadChecks.get());
    damage(file(id), true);
    StorageClient c = client();
    assertNull(c.download_file(id[0], id[1]), "damage the stat does not show is still caught");
    assertTrue(c.getErrorCode() != 0);
  }

  @Test
  void pastTheWindowADownloadChecksAgain() throws Exception {
    start(30);
    long base = System.nanoTime();
    long[] now = {base};
    node.integrity.knownGood.nanoTime = () -> now[0];
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    damage(file(id), true);
    now[0] = base + TimeUnit.SECONDS.toNanos(29);
    assertArrayEquals(damaged(content), client().download_file(id[0], id[1]), "within: trusted");
    now[0] = base + TimeUnit.SECONDS.toNanos(31);
    StorageClient c = client();
    assertNull(c.download_file(id[0], id[1]), "checked again after the window");
    assertTrue(c.getErrorCode() != 0);
  }

  @Test
  void aPeersReadIsAlwaysChecked() throws Exception {
    start(30);
    byte[] content = bytes(SIZE);
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    damage(file(id), true);
    FileId fid = node.files.validate(id[0], id[1]);
    Throwable err =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class,
            () ->
                node.integrity
                    .openChecked(fid, file(id), true, vertx::getOrCreateContext)
                    .await(30, TimeUnit.SECONDS));
    assertTrue(String.valueOf(err.getMessage()).contains("damaged"), err.toString());
  }
}
