package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch holding a member's own upload and a peer's copy forces the two volumes at once (the
 * copy's on the store's helper thread), and answers both only once both are durable.
 */
class PackedVolumeForcesTest extends PackedStoreFixture {
  @Test
  void aBatchOfAnOwnSlotAndAPeersCopyForcesBothVolumesTogether() throws Exception {
    // a slot of the peer's (another source key): its copy goes to the peer's volume here
    Path peerRoot = Files.createTempDirectory("packed-peer");
    TrunkId first;
    TrunkId second;
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      first = peer.append(ByteBuffer.wrap(bytes(1, 65536)), "jpg").join();
      second = peer.append(ByteBuffer.wrap(bytes(2, 65536)), "jpg").join();
    } finally {
      io.dfstree.TempTrees.delete(peerRoot);
    }
    // the committer is held inside a batch (asked whether the first copy's source is gone), so
    // that the next own append and the next copy queue up behind it and share the next batch
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> held =
        store.place(
            first,
            ByteBuffer.wrap(bytes(1, 65536)),
            first.createTime() & 0xFFFFFFFFL,
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
    long before = store.batchesForcedTogether();
    CompletableFuture<TrunkId> own = store.append(ByteBuffer.wrap(bytes(3, 65536)), "png");
    CompletableFuture<Boolean> copy =
        store.place(second, ByteBuffer.wrap(bytes(2, 65536)), second.createTime() & 0xFFFFFFFFL);
    release.countDown();
    assertTrue(held.get(10, TimeUnit.SECONDS));
    TrunkId ownId = own.get(10, TimeUnit.SECONDS);
    assertTrue(copy.get(10, TimeUnit.SECONDS));
    assertEquals(
        before + 1, store.batchesForcedTogether(), "own volume and the peer's, one batch");
    assertArrayEquals(bytes(3, 65536), array(store.read(ownId)));
    assertArrayEquals(bytes(2, 65536), array(store.read(second)));
    // durable and indexed as before: a restart finds both
    reopen();
    assertArrayEquals(bytes(3, 65536), array(store.read(ownId)));
    assertArrayEquals(bytes(1, 65536), array(store.read(first)));
    assertArrayEquals(bytes(2, 65536), array(store.read(second)));
  }

  @Test
  void aBatchOfOneVolumeIsForcedOnTheCommittersThreadAlone() throws IOException {
    long before = store.batchesForcedTogether();
    append(bytes(4, 1000), "txt");
    assertEquals(before, store.batchesForcedTogether());
  }
}
