package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a read finds ({@link SlotReads}): only the slot its whole name describes, never bytes that
 * fail their CRC32; what counts as written moments ago by this process.
 */
class SlotReadsTest extends PackedStoreFixture {
  @Test
  void forgedNamesFindNothingAndChangeNothing() throws IOException {
    TrunkId id = append(bytes(3, 5000), "png");
    TrunkId next = append(bytes(4, 5000), "png");
    List<TrunkId> forged =
        List.of(
            // other random digits in the extension part
            new TrunkId(
                0,
                id.sourceKey(),
                id.createTime(),
                id.sizeHigh(),
                id.fileSize(),
                id.crc32(),
                id.volume(),
                id.offset(),
                id.slotLength(),
                "999.png"),
            // other random bits in the size field
            new TrunkId(
                0,
                id.sourceKey(),
                id.createTime(),
                id.sizeHigh() ^ 1,
                id.fileSize(),
                id.crc32(),
                id.volume(),
                id.offset(),
                id.slotLength(),
                id.extPart()),
            // an offset inside the slot
            new TrunkId(
                0,
                id.sourceKey(),
                id.createTime(),
                id.sizeHigh(),
                100,
                id.crc32(),
                id.volume(),
                id.offset() + 64,
                SlotHeader.slotLength(100),
                id.extPart()),
            // a smaller size than stored (the slot length then disagrees)
            new TrunkId(
                0,
                id.sourceKey(),
                id.createTime(),
                id.sizeHigh(),
                4000,
                id.crc32(),
                id.volume(),
                id.offset(),
                id.slotLength(),
                id.extPart()),
            // a volume that does not exist
            new TrunkId(
                0,
                id.sourceKey(),
                id.createTime(),
                id.sizeHigh(),
                id.fileSize(),
                id.crc32(),
                77,
                id.offset(),
                id.slotLength(),
                id.extPart()));
    for (TrunkId f : forged) {
      assertErrno(Errno.ENOENT, () -> store.read(f));
      assertErrno(Errno.ENOENT, () -> store.delete(f).join());
    }
    assertErrno(
        Errno.EINVAL,
        () ->
            store.read(
                new TrunkId(
                    1,
                    id.sourceKey(),
                    id.createTime(),
                    id.sizeHigh(),
                    id.fileSize(),
                    id.crc32(),
                    id.volume(),
                    id.offset(),
                    id.slotLength(),
                    id.extPart())));
    assertArrayEquals(bytes(3, 5000), array(store.read(id)));
    assertArrayEquals(bytes(4, 5000), array(store.read(next)));
  }

  @Test
  void damagedContentFailsItsCrcInsteadOfReturningWrongBytes() throws IOException {
    store.close();
    // verifyTail 0: the damage is in old data, left to every read's CRC check
    store =
        PackedStore.open(root, 0, SOURCE, new PackedOptions(262_144, 1 << 30, true, 8 << 20, 0));
    TrunkId a = append(bytes(1, 4000), "");
    Path vol = volumeFile(a);
    try (FileChannel ch = FileChannel.open(vol, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {42}), a.offset() + SlotHeader.SIZE + 2000);
    }
    assertErrno(Errno.EIO, () -> store.read(a));
  }

  /**
   * What a download may read on its event loop: only slots this process wrote, within the window at
   * the end of what it wrote; never after a restart (those pages may be gone), never with 0.
   */
  @Test
  void recentlyWrittenIsWhatThisProcessWroteWithinTheWindow() throws IOException {
    TrunkId first = append(bytes(1, 4000), "jpg");
    TrunkId second = append(bytes(2, 4000), "jpg");
    assertTrue(store.recentlyWritten(first, 64L << 20));
    assertTrue(store.recentlyWritten(second, 64L << 20));
    assertFalse(store.recentlyWritten(second, 0), "0 turns it off");
    // a window of one slot: only the last one written
    assertTrue(store.recentlyWritten(second, second.slotLength()));
    assertFalse(store.recentlyWritten(first, second.slotLength()));

    reopen();
    assertTrue(store.contains(first));
    assertFalse(store.recentlyWritten(first, 64L << 20), "written before this process opened it");
    TrunkId third = append(bytes(3, 4000), "jpg");
    assertTrue(store.recentlyWritten(third, 64L << 20));
    assertFalse(store.recentlyWritten(second, 64L << 20), "still from before the restart");

    // a peer's copy placed here is recent on the peer too
    Path peerRoot = Files.createTempDirectory("packed-peer");
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      peer.place(third, ByteBuffer.wrap(bytes(3, 4000))).join();
      assertTrue(peer.recentlyWritten(third, 64L << 20));
      assertFalse(peer.recentlyWritten(first, 64L << 20), "not here at all");
    } finally {
      io.dfstree.TempTrees.delete(peerRoot);
    }
  }
}
