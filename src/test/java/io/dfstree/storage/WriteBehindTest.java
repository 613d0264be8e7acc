package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With fsync on, a file that arrives in several batches hands each batch but the last to writeback
 * while the rest still arrives ({@link WriteBehind}, benchmark/PROFILE.md up1m), so the force after
 * the last byte writes the tail only. The force itself still runs once per file and the bytes are
 * the client's; without fsync, or for a file of one batch, nothing is started early.
 */
class WriteBehindTest {
  @TempDir Path dir;
  OneStorePath store;

  @AfterEach
  void tearDown() throws Exception {
    if (store != null) {
      store.close();
    }
  }

  /** Writes {@code content} in 64 KiB chunks on one event-loop turn, as a fast client's bytes. */
  private Path upload(boolean fsync, byte[] content) throws Exception {
    store = new OneStorePath(dir, "0", 2, fsync);
    Context ctx = store.vertx.getOrCreateContext();
    FileWriteStream s = store.files.newUpload(store.path);
    Path kept = dir.resolve("kept");
    long written =
        io.dfstree.OnContext.await(
            ctx,
            () -> {
              for (int at = 0; at < content.length; at += 64 * 1024) {
                int n = Math.min(64 * 1024, content.length - at);
                s.write(Buffer.buffer().appendBytes(content, at, n));
              }
              return s.finish(
                  w -> {
                    Files.createLink(kept, w.path());
                    return w.bytes();
                  });
            },
            30);
    assertEquals(content.length, written);
    assertArrayEquals(content, Files.readAllBytes(kept));
    return kept;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void aFileOfSeveralBatchesHandsTheFirstToWritebackBeforeItsOneForce() throws Exception {
    assumeTrue(WriteBehind.available(), "Linux with JNA only");
    upload(true, random(1024 * 1024));
    Forces f = store.files.forces();
    // the first batch (256 KiB) left while the rest was queued; the last is the force's
    assertTrue(
        f.writtenBehind.sum() >= FileWriteStream.FLUSH_AT,
        "handed to writeback before the force: " + f.writtenBehind.sum());
    assertTrue(f.writtenBehind.sum() < 1024 * 1024, "the last batch is left to the force");
    assertEquals(1, f.data.sum(), "still one data force per file");
  }

  @Test
  void withoutFsyncNothingIsHandedToWritebackEarly() throws Exception {
    upload(false, random(1024 * 1024));
    assertEquals(0, store.files.forces().writtenBehind.sum());
    assertEquals(0, store.files.forces().data.sum());
  }

  @Test
  void aFileOfOneBatchIsLeftToItsForce() throws Exception {
    upload(true, random(200 * 1024));
    assertEquals(0, store.files.forces().writtenBehind.sum());
    assertEquals(1, store.files.forces().data.sum());
  }

  @Test
  void aDescriptorForWritebackIsOpenedAndTaken() throws Exception {
    assumeTrue(WriteBehind.available(), "Linux with JNA only");
    Path f = dir.resolve("f");
    Files.write(f, random(300 * 1024));
    int fd = WriteBehind.open(f);
    assertTrue(fd >= 0);
    try {
      assertTrue(WriteBehind.start(fd, 0, 300 * 1024), "the kernel took the range");
    } finally {
      WriteBehind.close(fd);
    }
    assertFalse(WriteBehind.start(-1, 0, 10), "no descriptor: nothing started");
  }
}
