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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a restart finds ({@link VolumeSet#load}): the index rebuilt from the volumes — torn slots,
 * garbage and zeros written ahead at their end — or read from index checkpoints, trusted only when
 * they still describe the volume.
 */
class PackedRestartTest extends PackedStoreFixture {
  @Test
  void restartRebuildsTheIndexAndAppendsContinueAfterTheLastSlot() throws IOException {
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(append(bytes(i, 100 + i * 7), "bin"));
    }
    store.delete(ids.get(10)).join();
    reopen();
    assertEquals(299, store.rebuild().files());
    assertEquals(299, store.stats().files());
    TrunkId after = append(bytes(999, 77), "");
    assertTrue(after.offset() >= ids.get(299).offset() + ids.get(299).slotLength());
    for (int i = 0; i < 300; i++) {
      if (i != 10) {
        assertArrayEquals(bytes(i, 100 + i * 7), array(store.read(ids.get(i))));
      }
    }
    assertArrayEquals(bytes(999, 77), array(store.read(after)));
  }

  @Test
  void garbageAfterTheLastSlotIsCutAtRestart() throws IOException {
    TrunkId a = append(bytes(1, 3000), "");
    TrunkId b = append(bytes(2, 3000), "");
    Path vol = volumeFile(a);
    long end = Files.size(vol);
    store.close();
    // a torn write: half a header and some content
    try (FileChannel ch = FileChannel.open(vol, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(7, 777)), end);
    }
    store = PackedStore.open(root, 0, SOURCE, store.options);
    assertEquals(end, Files.size(vol));
    assertEquals(777, store.rebuild().garbageBytes());
    assertArrayEquals(bytes(1, 3000), array(store.read(a)));
    assertArrayEquals(bytes(2, 3000), array(store.read(b)));
    TrunkId c = append(bytes(3, 50), "");
    assertEquals(b.offset() + b.slotLength(), c.offset(), "right after the last slot");
    assertArrayEquals(bytes(3, 50), array(store.read(c)));
  }

  @Test
  void volumesAreWrittenAheadWithZerosThatARestartTakesForFreeSpace() throws IOException {
    // fsync on: a batch that would make the volume longer writes zeros ahead first, so that the
    // next batches' fdatasync writes no inode (see VolumeGrower.GROW_AHEAD)
    TrunkId a = append(bytes(1, 3000), "");
    Path vol = volumeFile(a);
    long size = Files.size(vol);
    assertEquals(a.slotLength() + VolumeGrower.GROW_AHEAD, size);
    TrunkId b = append(bytes(2, 3000), "");
    assertEquals(size, Files.size(vol), "inside what was written ahead");
    store.close();
    Files.delete(checkpointFile()); // as after a crash: the scan finds the end
    store = PackedStore.open(root, 0, SOURCE, store.options);
    assertEquals(2, store.rebuild().files());
    assertEquals(0, store.rebuild().garbageBytes());
    TrunkId c = append(bytes(3, 50), "");
    assertEquals(b.offset() + b.slotLength(), c.offset(), "the zeros after the last slot are free");
    assertEquals(size, Files.size(vol));
    assertArrayEquals(bytes(1, 3000), array(store.read(a)));
    assertArrayEquals(bytes(2, 3000), array(store.read(b)));
    assertArrayEquals(bytes(3, 50), array(store.read(c)));
  }

  @Test
  void aTornSlotBeforeTheZerosWrittenAheadIsDeletedNotServed() throws IOException {
    TrunkId a = append(bytes(1, 3000), "");
    TrunkId b = append(bytes(2, 3000), "");
    Path vol = volumeFile(a);
    store.close();
    Files.delete(checkpointFile());
    // b's header reached the disk, its content did not: the zeros written ahead read in its place
    try (FileChannel ch = FileChannel.open(vol, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(3000), b.offset() + SlotHeader.SIZE);
    }
    // a verify window smaller than the zeros ahead: it is measured from the last slot's end
    store =
        PackedStore.open(
            root, 0, SOURCE, new PackedOptions(262_144, 1 << 30, true, 262_144 + 64, 600_000));
    assertEquals(1, store.rebuild().tornSlots());
    assertErrno(Errno.ENOENT, () -> store.read(b));
    assertArrayEquals(bytes(1, 3000), array(store.read(a)));
  }

  @Test
  void aTornSlotNearTheEndIsDeletedNotServed() throws IOException {
    TrunkId a = append(bytes(1, 3000), "");
    TrunkId b = append(bytes(2, 3000), "");
    Path vol = volumeFile(a);
    store.close();
    Files.delete(checkpointFile()); // a crash: no clean stop, so no checkpoint covers b
    // the header reached the disk, the content did not
    try (FileChannel ch = FileChannel.open(vol, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[100]), b.offset() + SlotHeader.SIZE + 1000);
    }
    store = PackedStore.open(root, 0, SOURCE, store.options);
    assertEquals(1, store.rebuild().tornSlots());
    assertErrno(Errno.ENOENT, () -> store.read(b));
    List<TrunkId> listed = new ArrayList<>();
    store.list(listed::add);
    assertEquals(List.of(a), listed);
  }

  // ---- index checkpoints ----

  Path checkpointFile() throws IOException {
    try (var ds = Files.newDirectoryStream(root.resolve("data").resolve("packed"), "*.idx")) {
      for (Path p : ds) {
        return p;
      }
    }
    return null;
  }

  @Test
  void aRestartReadsTheCheckpointAndScansOnlyWhatCameAfterIt() throws Exception {
    List<TrunkId> before = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      before.add(append(bytes(i, 100 + i * 37), "jpg"));
    }
    assertEquals(1, store.checkpoint());
    Path idx = checkpointFile();
    assertNotNull(idx);
    byte[] saved = Files.readAllBytes(idx); // the checkpoint as a crash would find it
    List<TrunkId> after = new ArrayList<>();
    for (int i = 50; i < 80; i++) {
      after.add(append(bytes(i, 100 + i * 37), "png"));
    }
    store.close();
    Files.write(idx, saved); // a crash: the clean stop's newer checkpoint never happened
    store = PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true));
    assertEquals(1, store.rebuild().checkpointedVolumes());
    assertEquals(80, store.rebuild().files());
    for (int i = 0; i < 50; i++) {
      assertArrayEquals(bytes(i, 100 + i * 37), array(store.read(before.get(i))));
    }
    for (int i = 50; i < 80; i++) { // found by the tail scan
      assertArrayEquals(bytes(i, 100 + i * 37), array(store.read(after.get(i - 50))));
    }
    TrunkId next = append(bytes(99, 10), "");
    assertTrue(next.offset() >= after.get(29).offset() + after.get(29).slotLength());
  }

  @Test
  void aDeleteInsideACheckpointRemovesItBeforeItIsAcknowledged() throws Exception {
    TrunkId a = append(bytes(1, 500), "jpg");
    TrunkId b = append(bytes(2, 500), "jpg");
    assertEquals(1, store.checkpoint());
    Path idx = checkpointFile();
    assertTrue(Files.exists(idx));
    store.delete(a).join();
    assertFalse(Files.exists(idx), "a checkpoint that still says the deleted slot is live");
    // the next checkpoint holds the delete, and a restart from it knows
    assertEquals(1, store.checkpoint());
    assertTrue(Files.exists(idx));
    store.close();
    store = PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true));
    assertEquals(1, store.rebuild().checkpointedVolumes());
    assertFalse(store.contains(a));
    assertArrayEquals(bytes(2, 500), array(store.read(b)));
    assertEquals(1, store.stats().files());
  }

  @Test
  void aCheckpointFromBeforeADeleteIsNeverInstalled() throws Exception {
    TrunkId a = append(bytes(1, 300), "");
    List<IndexCheckpoint.Snapshot> old = store.snapshotForTest();
    store.delete(a).join(); // after the snapshot, before its file is written
    for (IndexCheckpoint.Snapshot s : old) {
      assertFalse(IndexCheckpoint.write(s));
    }
    assertNull(checkpointFile());
  }

  @Test
  void aDamagedOrForeignCheckpointIsIgnoredAndTheVolumeScannedWhole() throws Exception {
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(append(bytes(i, 2000), "bin"));
    }
    store.close();
    Path idx = checkpointFile();
    byte[] raw = Files.readAllBytes(idx);
    raw[40] ^= 1; // an entry, so the CRC32 fails
    Files.write(idx, raw);
    store = PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true));
    assertEquals(0, store.rebuild().checkpointedVolumes());
    assertEquals(20, store.rebuild().files());
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(bytes(i, 2000), array(store.read(ids.get(i))));
    }
    store.close();
    // a checkpoint that claims more than the volume holds (the volume was cut short)
    Path vol = idx.resolveSibling(idx.getFileName().toString().replace(".idx", ".vol"));
    long cut = ids.get(10).offset();
    try (FileChannel ch = FileChannel.open(vol, StandardOpenOption.WRITE)) {
      ch.truncate(cut);
    }
    store = PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true));
    assertEquals(0, store.rebuild().checkpointedVolumes());
    assertEquals(10, store.rebuild().files());
    assertFalse(store.contains(ids.get(10)));
  }
}
