package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
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
 * A plain file's unlink runs on a disk thread of its own, not inside the deletes' one round: freeing
 * a large file's blocks waits for the disk (~1 ms per fsynced 1 MiB file on ext4 with {@code
 * discard}), and one round unlinking them one after another capped 1 MiB deletes near 700/s.
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
  void aPlainFileIsUnlinkedWhileAnotherDeletesRoundIsStillRunning() throws Exception {
    StoredFiles files = store.files;
    String first = upload("the first file");
    String second = upload("the second file");
    Path secondPath = files.pathOf(files.validate(files.group(), second));
    assertTrue(Files.exists(secondPath));
    // the first delete's round stops where it re-measures a full store path (after its unlink,
    // directory force, tombstone and line) until the test lets it go
    store.path.consumed(store.path.freeBytes());
    CountDownLatch inRound = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    files.onSpaceFreed =
        () -> {
          inRound.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Future<Void> firstDone =
        files.delete(store.vertx.getOrCreateContext(), files.validate(files.group(), first));
    assertTrue(inRound.await(10, TimeUnit.SECONDS), "the first delete's round is running");
    Future<Void> secondDone;
    try {
      secondDone =
          files.delete(store.vertx.getOrCreateContext(), files.validate(files.group(), second));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (Files.exists(secondPath) && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertFalse(
          Files.exists(secondPath),
          "the second file is unlinked while the first delete's round still runs");
      assertFalse(secondDone.isComplete(), "answered only after a round made it durable");
    } finally {
      release.countDown();
    }
    firstDone.await(10, TimeUnit.SECONDS);
    secondDone.await(10, TimeUnit.SECONDS);
    assertTrue(files.deletedSince(files.validate(files.group(), second), 0), "tombstone");
  }
}
