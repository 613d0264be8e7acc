package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch of many large slots makes its volume longer by its own slots, without the zeros a small
 * batch writes ahead (each zero reaches the device twice); what it wrote reads back, also after a
 * restart.
 */
class PackedLargeBatchGrowthTest extends PackedStoreFixture {
  @Test
  void aLargeBatchMakesItsVolumeLongerWithoutZerosAhead() throws Exception {
    TrunkId small = append(bytes(5, 1000), "txt");
    long zeroed = Files.size(volumeFile(small));
    assertTrue(
        zeroed >= small.offset() + small.slotLength() + VolumeGrower.GROW_AHEAD,
        "a lone small slot writes zeros ahead: " + zeroed);
    // five 64 KiB appends and a copy of the peer's held behind one batch: 384 KiB in the next
    TrunkId theirs = peersSlots(6)[0];
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> held = placeHeld(theirs, bytes(6, 65536), release);
    // the first fills what the small slot's zeros reserved, the last ones pass it
    java.util.List<CompletableFuture<TrunkId>> large = new java.util.ArrayList<>();
    int n = (int) (VolumeGrower.GROW_AHEAD / 65536) + 4;
    for (int i = 0; i < n; i++) {
      large.add(store.append(ByteBuffer.wrap(bytes(100 + i, 65536)), "jpg"));
    }
    release.countDown();
    assertTrue(held.get(10, TimeUnit.SECONDS));
    TrunkId last = null;
    for (int i = 0; i < n; i++) {
      last = large.get(i).get(10, TimeUnit.SECONDS);
      assertArrayEquals(bytes(100 + i, 65536), array(store.read(last)));
    }
    assertEquals(
        (long) last.offset() + last.slotLength(),
        Files.size(volumeFile(last)),
        "the large batch ends the volume at its last slot: no zeros ahead");
    reopen();
    for (int i = 0; i < n; i++) {
      assertArrayEquals(bytes(100 + i, 65536), array(store.read(large.get(i).join())));
    }
    assertArrayEquals(bytes(5, 1000), array(store.read(small)));
    // a small slot after it writes zeros ahead again
    TrunkId after = append(bytes(7, 1000), "txt");
    assertTrue(
        Files.size(volumeFile(after))
            >= after.offset() + after.slotLength() + VolumeGrower.GROW_AHEAD);
    assertArrayEquals(bytes(7, 1000), array(store.read(after)));
  }
}
