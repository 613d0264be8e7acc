package io.dfstree.storage;

import static io.dfstree.RawClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.Damage;
import io.dfstree.fileid.FileId;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.csource.fastdfs.StorageClient;
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
  final byte[] content = bytes(SIZE);
  OneStorage storage;
  StorageNode node;

  void start(int reuseSeconds) throws Exception {
    storage =
        OneStorage.start(
            "known-good-download",
            c -> c.getJsonObject("reliability").put("verifiedReuseSeconds", reuseSeconds));
    node = storage.node;
  }

  @AfterEach
  void stop() throws Exception {
    if (storage != null) {
      storage.close();
    }
  }

  StorageClient client() throws java.io.IOException {
    return storage.client();
  }

  Path file(String[] id) {
    return storage.file(id);
  }

  /** Flips one byte; with {@code keepMtime} the size, inode and mtime stay what they were. */
  void damage(Path f, boolean keepMtime) throws Exception {
    FileTime mtime = Files.getLastModifiedTime(f);
    Damage.flipByte(f, 200_000);
    Files.setLastModifiedTime(f, keepMtime ? mtime : FileTime.fromMillis(mtime.toMillis() + 2000));
  }

  /** Uploads {@link #content}, then downloads it once: the bytes must come back. */
  String[] uploadedAndDownloaded() throws Exception {
    String[] id = client().upload_file(content, "bin", null);
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    return id;
  }

  static byte[] damaged(byte[] content) {
    byte[] d = content.clone();
    d[200_000] ^= 0x40;
    return d;
  }

  @Test
  void aDownloadOfAFileCheckedWithinTheWindowIsNotReadAgain() throws Exception {
    start(30);
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
    String[] id = client().upload_file(content, "bin", null);
    long checks = node.integrity.downloadChecks.get();
    assertArrayEquals(content, client().download_file(id[0], id[1]));
    assertEquals(checks, node.integrity.downloadChecks.get());
  }

  @Test
  void aKnownGoodFileIsStatedOnTheEventLoopWithoutADiskCall() throws Exception {
    start(30);
    String[] id = client().upload_file(content, "bin", null);
    long calls = node.disk.submitted();
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(content, client().download_file(id[0], id[1]));
    }
    // before: one disk call per download for its stat (10); other disk work may slip in
    long used = node.disk.submitted() - calls;
    assertTrue(used <= 2, "disk calls for 10 downloads of a known-good file: " + used);
    assertEquals(10, node.integrity.inlineOpens());
    damage(file(id), false); // a change the stat shows goes the disk thread's way: checked
    storage.assertRefused(id, "a changed mtime is checked");
  }

  @Test
  void aFileDamagedWithAChangedMtimeOrSizeIsCaughtAtOnce() throws Exception {
    start(30);
    String[] id = uploadedAndDownloaded();
    damage(file(id), false);
    storage.assertRefused(id, "a changed mtime is checked");

    String[] other = uploadedAndDownloaded();
    FileTime mtime = Files.getLastModifiedTime(file(other));
    try (RandomAccessFile raf = new RandomAccessFile(file(other).toFile(), "rw")) {
      raf.setLength(SIZE - 1);
    }
    Files.setLastModifiedTime(file(other), mtime);
    storage.assertRefused(other, "a changed size is checked");
  }

  @Test
  void withZeroSecondsEveryDownloadChecks() throws Exception {
    start(0);
    String[] id = client().upload_file(content, "bin", null);
    long checks = node.integrity.downloadChecks.get();
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(content, client().download_file(id[0], id[1]));
    }
    assertEquals(checks + 3, node.integrity.downloadChecks.get());
    damage(file(id), true);
    storage.assertRefused(id, "damage the stat does not show is still caught");
  }

  @Test
  void pastTheWindowADownloadChecksAgain() throws Exception {
    start(30);
    long base = System.nanoTime();
    long[] now = {base};
    node.integrity.knownGood.nanoTime = () -> now[0];
    String[] id = uploadedAndDownloaded();
    damage(file(id), true);
    now[0] = base + TimeUnit.SECONDS.toNanos(29);
    assertArrayEquals(damaged(content), client().download_file(id[0], id[1]), "within: trusted");
    now[0] = base + TimeUnit.SECONDS.toNanos(31);
    storage.assertRefused(id, "checked again after the window");
  }

  @Test
  void aPeersReadIsAlwaysChecked() throws Exception {
    start(30);
    String[] id = uploadedAndDownloaded();
    damage(file(id), true);
    FileId fid = node.files.validate(id[0], id[1]);
    Throwable err =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class,
            () ->
                node.integrity
                    .openChecked(fid, file(id), true, storage.vertx::getOrCreateContext)
                    .await(30, TimeUnit.SECONDS));
    assertTrue(String.valueOf(err.getMessage()).contains("damaged"), err.toString());
  }
}
