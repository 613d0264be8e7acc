package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TempTrees;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The packed store's tests share this: a store on real files in a temporary directory, opened
 * before each test and closed after, and what they do with it (append, reopen, expect an errno).
 */
abstract class PackedStoreFixture {
  static final int SOURCE = 0x0100007F; // 127.0.0.1 as the name's 4 bytes
  Path root;
  PackedStore store;

  @BeforeEach
  void open() throws IOException {
    root = Files.createTempDirectory("packed-test");
    store = PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true));
  }

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
    TempTrees.delete(root);
  }

  static byte[] bytes(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  TrunkId append(byte[] content, String ext) {
    return store.append(ByteBuffer.wrap(content), ext).join();
  }

  void reopen() throws IOException {
    store.close();
    store = PackedStore.open(root, 0, SOURCE, store.options);
  }

  static void assertErrno(int errno, Executable e) {
    Throwable t = assertThrows(Throwable.class, e::run);
    if (t instanceof CompletionException) {
      t = t.getCause();
    }
    assertInstanceOf(FdfsException.class, t, String.valueOf(t));
    assertEquals(errno, ((FdfsException) t).errno(), t.getMessage());
  }

  interface Executable {
    void run() throws Exception;
  }

  /**
   * Slots of 64 KiB, one per seed, appended by a peer (another source key) in a store of its own
   * that is gone again: a copy of one placed here goes to the peer's volume, not this store's own.
   */
  static TrunkId[] peersSlots(long... seeds) throws IOException {
    Path peerRoot = Files.createTempDirectory("packed-peer");
    TrunkId[] ids = new TrunkId[seeds.length];
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      for (int i = 0; i < seeds.length; i++) {
        ids[i] = peer.append(ByteBuffer.wrap(bytes(seeds[i], 65536)), "jpg").join();
      }
    } finally {
      TempTrees.delete(peerRoot);
    }
    return ids;
  }

  /**
   * Places a copy of the peer's slot {@code theirs} and holds the committer inside that batch (it
   * is asked whether the copy's source is gone) until {@code release} counts down, so that what is
   * sent meanwhile queues up behind it and shares the next batch. Returns the held copy's answer.
   */
  CompletableFuture<Boolean> placeHeld(TrunkId theirs, byte[] content, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch inBatch = new CountDownLatch(1);
    CompletableFuture<Boolean> held =
        store.place(
            theirs,
            ByteBuffer.wrap(content),
            theirs.createTime() & 0xFFFFFFFFL,
            () -> {
              inBatch.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return false;
            });
    assertTrue(inBatch.await(10, TimeUnit.SECONDS));
    return held;
  }

  Path volumeFile(TrunkId id) {
    return root.resolve("data")
        .resolve(PackedStore.DIR)
        .resolve(Volume.fileName(id.sourceKey(), id.volume()));
  }
}
