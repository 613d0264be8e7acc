package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deleted plain file is kept in the trash for the next plain upload of its store path to write
 * into instead of unlinked ({@link RecycledFiles}): neither the delete nor the upload frees or
 * allocates blocks (on ext4 mounted {@code discard}, freeing issues the discards inside the
 * unlink).
 */
class RecycledFilesTest {
  @TempDir Path dir;
  OneStorePath store;

  @AfterEach
  void tearDown() throws Exception {
    if (store != null) {
      store.close();
    }
  }

  private static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  private String upload(byte[] content) throws Exception {
    FileWriteStream upload = store.files.newUpload(store.path);
    for (int at = 0; at < content.length; at += 100_000) {
      upload.write(
          Buffer.buffer(Arrays.copyOfRange(content, at, Math.min(content.length, at + 100_000))));
    }
    return store.files.placeNew(upload, store.path, false, "bin").await(10, TimeUnit.SECONDS);
  }

  private Path pathOf(String name) {
    return store.files.pathOf(store.files.validate(store.files.group(), name));
  }

  private void delete(String name) throws Exception {
    StoredFiles files = store.files;
    files
        .delete(store.vertx.getOrCreateContext(), files.validate(files.group(), name))
        .await(10, TimeUnit.SECONDS);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!files.trash().idle() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertTrue(files.trash().idle(), "the trash is done with the delete");
  }

  private long trashed() throws Exception {
    try (var left = Files.list(Trash.dirOf(store.path))) {
      return left.count();
    }
  }

  @Test
  void aDeletedFileIsKeptAndTheNextUploadWritesIntoItWithNoneOfItsOldBytes() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    byte[] old = bytes(700_000, 1);
    String first = upload(old);
    Object inode = Files.readAttributes(pathOf(first), "unix:ino").get("ino");
    delete(first);
    assertFalse(Files.exists(pathOf(first)), "gone from its name");
    assertEquals(1, store.files.recycled().keptFiles.sum(), "kept, not unlinked");
    assertEquals(0, store.files.trash().unlinked.sum());
    assertEquals(1, trashed());
    assertEquals(700_000, store.path.keptBytes());
    assertEquals(
        store.path.measuredFreeBytes() + 700_000,
        store.path.freeBytes(),
        "a kept file's bytes count as free space");

    // a shorter upload: written over the kept file and cut to its own length
    byte[] shorter = bytes(300_000, 2);
    String second = upload(shorter);
    assertEquals(1, store.files.recycled().reusedFiles.sum());
    assertEquals(0, trashed(), "the kept file became the upload");
    assertEquals(0, store.path.keptBytes());
    Path secondPath = pathOf(second);
    assertEquals(inode, Files.readAttributes(secondPath, "unix:ino").get("ino"), "same blocks");
    assertArrayEquals(shorter, Files.readAllBytes(secondPath), "only the upload's bytes");

    // a longer one over a kept shorter file
    byte[] longer = bytes(900_000, 3);
    delete(second);
    String third = upload(longer);
    assertArrayEquals(longer, Files.readAllBytes(pathOf(third)));
    assertEquals(2, store.files.recycled().reusedFiles.sum(), "the kept 300 KB file, grown");
  }

  @Test
  void keptFilesAreUnlinkedOnceThePathIsShortOfRoomForThem() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    delete(upload(bytes(500_000, 9)));
    assertEquals(1, trashed());
    store.files.recycled().trim(store.path);
    assertEquals(1, trashed(), "room enough: kept");
    store.path.consumed(store.path.measuredFreeBytes()); // packed uploads filled the path
    store.files.recycled().trim(store.path); // as the heartbeat's re-measure does
    assertEquals(0, trashed(), "unlinked");
    assertEquals(0, store.path.keptBytes());
  }

  @Test
  void aFileSomeoneHasOpenWhenItIsDeletedIsUnlinkedNotKept() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    byte[] old = bytes(500_000, 4);
    String name = upload(old);
    try (FileChannel reader = FileChannel.open(pathOf(name), StandardOpenOption.READ)) {
      delete(name); // a download that opened it before its delete is still sending it
      assertEquals(0, store.files.recycled().keptFiles.sum(), "not kept while open");
      assertEquals(1, store.files.trash().unlinked.sum());
      String next = upload(bytes(500_000, 5));
      assertEquals(0, store.files.recycled().reusedFiles.sum());
      ByteBuffer b = ByteBuffer.allocate(old.length);
      while (b.hasRemaining() && reader.read(b) > 0) {}
      assertArrayEquals(old, b.array(), "the reader still reads the deleted file's bytes");
      assertTrue(Files.exists(pathOf(next)));
    }
  }

  @Test
  void nothingIsKeptWithoutFsyncSmallFilesOrWithoutRoomAboveTheReserve() throws Exception {
    store = new OneStorePath(dir, "0", 2, false); // without fsync a power cut could show old bytes
    delete(upload(bytes(500_000, 6)));
    assertEquals(0, store.files.recycled().keptFiles.sum());
    store.close();

    store = new OneStorePath(dir.resolve("small"), "0", 2, true);
    delete(upload(bytes(10_000, 7)));
    assertEquals(0, store.files.recycled().keptFiles.sum(), "under 64 KiB: unlinked");
    store.close();

    // a reserve that leaves no room for a bound's worth of kept files
    long free = Files.getFileStore(dir).getUsableSpace();
    long reserve = free - RecycledFiles.MAX_BYTES * 3 / 4;
    store = new OneStorePath(dir.resolve("full"), String.valueOf(reserve), 2, true);
    delete(upload(bytes(500_000, 8)));
    assertEquals(0, store.files.recycled().keptFiles.sum(), "never below the reserve");
    assertEquals(0, trashed());
  }
}
