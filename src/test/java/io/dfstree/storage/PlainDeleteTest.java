package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain file's unlink runs behind the answer, on the trash thread ({@link Trash}): freeing a large
 * file's blocks waits for the disk (~1 ms per fsynced 1 MiB file on ext4 with {@code discard}), and
 * so did every delete's answer. The delete moves the file into the trash in its round (a rename)
 * and is answered once its binlog line is forced; the directory force and the unlink come later.
 */
class PlainDeleteTest {
  @TempDir Path dir;
  OneStorePath store;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "1M", 2, true);
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  private String upload(String content) throws Exception {
    FileWriteStream upload = store.files.newUpload(store.path);
    upload.write(Buffer.buffer(content));
    return store.files.placeNew(upload, store.path, false, "bin").await(10, TimeUnit.SECONDS);
  }

  @Test
  void aDeleteIsAnsweredWhileTheTrashThreadIsStillBusy() throws Exception {
    StoredFiles files = store.files;
    String first = upload("the first file");
    String second = upload("the second file");
    Path secondPath = files.pathOf(files.validate(files.group(), second));
    Path trash = store.path.data.resolve(Trash.DIR);
    // the trash thread stops after the first delete's unlink until the test lets it go
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    files.trash().afterUnlinks =
        index -> {
          busy.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    try {
      files
          .delete(store.vertx.getOrCreateContext(), files.validate(files.group(), first))
          .await(10, TimeUnit.SECONDS);
      assertTrue(busy.await(10, TimeUnit.SECONDS), "the trash thread is busy");
      long dirForces = files.forces().directories.sum();
      files
          .delete(store.vertx.getOrCreateContext(), files.validate(files.group(), second))
          .await(10, TimeUnit.SECONDS);
      assertFalse(Files.exists(secondPath), "gone from its name when answered");
      assertEquals(
          dirForces, files.forces().directories.sum(), "answered before its directory force");
      try (var left = Files.list(trash)) {
        assertEquals(1, left.count(), "answered before its unlink: the file waits in the trash");
      }
      assertTrue(files.deletedSince(files.validate(files.group(), second), 0), "tombstone");
    } finally {
      release.countDown();
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!files.trash().idle() && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    try (var left = Files.list(trash)) {
      assertEquals(0, left.count(), "unlinked after the answer");
    }
  }
}
