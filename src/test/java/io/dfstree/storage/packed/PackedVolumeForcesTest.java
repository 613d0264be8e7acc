package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
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
    TrunkId[] theirs = peersSlots(1, 2);
    TrunkId first = theirs[0];
    TrunkId second = theirs[1];
    // the committer is held inside a batch (asked whether the first copy's source is gone), so
    // that the next own append and the next copy queue up behind it and share the next batch
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> held = placeHeld(first, bytes(1, 65536), release);
    long before = store.batchesForcedTogether();
    CompletableFuture<TrunkId> own = store.append(ByteBuffer.wrap(bytes(3, 65536)), "png");
    CompletableFuture<Boolean> copy =
        store.place(second, ByteBuffer.wrap(bytes(2, 65536)), second.createTime() & 0xFFFFFFFFL);
    release.countDown();
    assertTrue(held.get(10, TimeUnit.SECONDS));
    TrunkId ownId = own.get(10, TimeUnit.SECONDS);
    assertTrue(copy.get(10, TimeUnit.SECONDS));
    assertEquals(before + 1, store.batchesForcedTogether(), "own volume and the peer's, one batch");
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
