package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TempTrees;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The packed engine on real files, without sockets: append, read, delete, restart, compaction. */
class PackedStoreTest {
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

  @Test
  void appendedFilesReadBackByTheirTrunkIdAlone() throws IOException {
    int[] sizes = {0, 1, 31, 32, 33, 4096, 65_537, PackedOptions.DEFAULT_MAX_FILE_SIZE};
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      ids.add(append(bytes(i, sizes[i]), i % 2 == 0 ? "jpg" : ""));
    }
    for (int i = 0; i < sizes.length; i++) {
      TrunkId id = ids.get(i);
      assertEquals(60, id.remoteName().length());
      assertEquals(sizes[i], FileName.decode(id.remoteName()).fileSize());
      // what a client sends back is the name, nothing else
      TrunkId parsed = TrunkId.parse(id.remoteName());
      assertArrayEquals(bytes(i, sizes[i]), array(store.read(parsed)));
      assertEquals(0, parsed.offset() % SlotHeader.ALIGN);
      PackedStore.Location loc = store.locate(parsed);
      assertEquals(parsed.offset() + SlotHeader.SIZE, loc.offset());
      assertEquals(sizes[i], loc.length());
    }
    assertTrue(ids.get(0).remoteName().endsWith(".jpg"));
    assertEquals(sizes.length, store.stats().files());
  }

  @Test
  void largerThanMaxFileSizeIsRefused() {
    assertErrno(Errno.EINVAL, () -> append(new byte[PackedOptions.DEFAULT_MAX_FILE_SIZE + 1], ""));
    assertFalse(store.accepts(PackedOptions.DEFAULT_MAX_FILE_SIZE + 1));
    assertTrue(store.accepts(PackedOptions.DEFAULT_MAX_FILE_SIZE));
  }

  @Test
  void concurrentAppendsShareOneSyncPerBatch() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<TrunkId>> all = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int n = i;
        all.add(CompletableFuture.supplyAsync(() -> append(bytes(n, 4096), "txt"), pool));
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        TrunkId id = all.get(i).join();
        names.add(id.remoteName());
        assertArrayEquals(bytes(i, 4096), array(store.read(id)));
      }
      assertEquals(400, names.size());
      long batches = store.committerBatches();
      assertTrue(batches < 400, "400 concurrent appends took " + batches + " syncs");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void deleteFreesTheSlotDurably() throws IOException {
    TrunkId keep = append(bytes(1, 1000), "a");
    TrunkId gone = append(bytes(2, 1000), "b");
    store.delete(gone).join();
    assertErrno(Errno.ENOENT, () -> store.read(gone));
    assertErrno(Errno.ENOENT, () -> store.delete(gone).join());
    assertFalse(store.contains(gone));
    reopen();
    assertErrno(Errno.ENOENT, () -> store.read(gone));
    assertArrayEquals(bytes(1, 1000), array(store.read(keep)));
    List<TrunkId> listed = new ArrayList<>();
    store.list(listed::add);
    assertEquals(List.of(keep), listed);
  }

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
  void fullVolumesRollOverToTheNextNumber() throws IOException {
    store.close();
    store =
        PackedStore.open(root, 0, SOURCE, PackedOptions.defaults(true).withVolumeSize(300 * 1024));
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(append(bytes(i, 100_000), ""));
    }
    assertTrue(ids.get(9).volume() >= 4, "volume " + ids.get(9).volume());
    assertTrue(
        ids.get(9).remoteName().startsWith(String.format("M00/00/%02X/", ids.get(9).volume())));
    reopen();
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(bytes(i, 100_000), array(store.read(ids.get(i))));
    }
    assertEquals(
        ids.get(9).volume(), append(bytes(11, 10), "").volume(), "the last volume still has room");
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
    // next batches' fdatasync writes no inode (see BatchCommitter.GROW_AHEAD)
    TrunkId a = append(bytes(1, 3000), "");
    Path vol = volumeFile(a);
    long size = Files.size(vol);
    assertEquals(a.slotLength() + BatchCommitter.GROW_AHEAD, size);
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

  @Test
  void compactionPunchesRunsOfDeletedSlotsAndMovesNothing() throws Exception {
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(append(bytes(i, 16_000), ""));
    }
    Path vol = volumeFile(ids.get(0));
    long before = allocatedBytes(vol);
    for (int i = 50; i < 150; i++) {
      store.delete(ids.get(i)).join();
    }
    store.delete(ids.get(170)).join(); // a lone hole too
    // appends go on while compaction runs
    CompletableFuture<List<TrunkId>> writer =
        CompletableFuture.supplyAsync(
            () -> {
              List<TrunkId> more = new ArrayList<>();
              for (int i = 0; i < 50; i++) {
                more.add(append(bytes(1000 + i, 16_000), ""));
              }
              return more;
            });
    Compactor.Result r = store.compact();
    List<TrunkId> more = writer.join();
    assertTrue(r.supported(), "ext4/tmpfs punch holes");
    long deletedBytes = 101L * ids.get(0).slotLength();
    assertTrue(r.punchedBytes() > deletedBytes * 9 / 10, r + " of " + deletedBytes);
    long after = allocatedBytes(vol);
    long grownBy = 50L * ids.get(0).slotLength();
    assertTrue(
        after < before + grownBy - deletedBytes * 8 / 10, "allocated " + before + " -> " + after);
    assertEquals(0, store.compact().runs(), "a second pass has nothing to do");
    for (int i = 0; i < 200; i++) {
      if (i < 50 || i >= 150 && i != 170) {
        assertArrayEquals(bytes(i, 16_000), array(store.read(ids.get(i))));
      } else {
        int n = i;
        assertErrno(Errno.ENOENT, () -> store.read(ids.get(n)));
      }
    }
    reopen();
    assertEquals(99 + 50, store.stats().files());
    for (int i = 0; i < 50; i++) {
      assertArrayEquals(bytes(1000 + i, 16_000), array(store.read(more.get(i))));
    }
    assertArrayEquals(bytes(49, 16_000), array(store.read(ids.get(49))));
    assertArrayEquals(bytes(150, 16_000), array(store.read(ids.get(150))));
    assertErrno(Errno.ENOENT, () -> store.read(ids.get(100)));
  }

  @Test
  void aReservedSlotIsNamedFirstAndFilledLaterWhileAppendsGoOn() throws IOException {
    byte[] late = bytes(5, 3000);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(late);
    TrunkId reserved = store.reserve(late.length, (int) crc.getValue(), 1_700_000_000, "gif");
    TrunkId given = store.reserve(10, 0, 1_700_000_000, "");
    TrunkId after = append(bytes(6, 100), "");
    assertTrue(after.offset() > reserved.offset());
    assertErrno(Errno.ENOENT, () -> store.read(reserved));
    assertTrue(store.fill(reserved, ByteBuffer.wrap(late)).join());
    store.release(given).join();
    assertArrayEquals(late, array(store.read(reserved)));
    assertErrno(Errno.ENOENT, () -> store.read(given));
    assertErrno(Errno.ENOENT, () -> store.fill(given, ByteBuffer.wrap(new byte[10])).join());
    reopen();
    assertArrayEquals(late, array(store.read(reserved)));
    assertArrayEquals(bytes(6, 100), array(store.read(after)));
    assertEquals(2, store.stats().files());
  }

  @Test
  void aReplicaPlacesTheSameSlotAtTheSameOffset() throws IOException {
    Path peerRoot = Files.createTempDirectory("packed-peer");
    List<TrunkId> ids = new ArrayList<>();
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      for (int i = 0; i < 5; i++) {
        ids.add(append(bytes(i, 2000 + i), "x"));
      }
      // out of order, as concurrent copies may arrive
      for (int i : new int[] {3, 0, 4}) {
        peer.place(ids.get(i), ByteBuffer.wrap(bytes(i, 2000 + i))).join();
      }
      assertFalse(
          peer.place(ids.get(3), ByteBuffer.wrap(bytes(3, 2003))).join(), "again: already here");
      assertArrayEquals(bytes(3, 2003), array(peer.read(ids.get(3))));
      assertErrno(Errno.ENOENT, () -> peer.read(ids.get(1)));
      // its own uploads go to its own volumes
      TrunkId own = peer.append(ByteBuffer.wrap(bytes(50, 10)), "").join();
      assertEquals(0x0200007F, own.sourceKey());
      assertEquals(1, own.volume());
      peer.delete(ids.get(4)).join();
      assertErrno(
          Errno.ENOENT, () -> peer.place(ids.get(4), ByteBuffer.wrap(bytes(4, 2004))).join());
      // other bytes claiming the place of slot 0
      TrunkId clash =
          new TrunkId(
              0,
              SOURCE,
              1,
              TrunkId.randomSizeHigh(),
              10,
              0,
              ids.get(0).volume(),
              ids.get(0).offset() + 32,
              SlotHeader.slotLength(10),
              "1234567");
      assertErrno(Errno.EEXIST, () -> peer.place(clash, ByteBuffer.wrap(new byte[10])).join());
    }
    // the gaps (slots 1 and 2 never arrived) survive a restart
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      assertEquals(3, peer.stats().files());
      assertArrayEquals(bytes(0, 2000), array(peer.read(ids.get(0))));
      assertArrayEquals(bytes(3, 2003), array(peer.read(ids.get(3))));
      peer.place(ids.get(1), ByteBuffer.wrap(bytes(1, 2001))).join();
      assertArrayEquals(bytes(1, 2001), array(peer.read(ids.get(1))));
      assertErrno(Errno.ENOENT, () -> peer.read(ids.get(4)));
    } finally {
      TempTrees.delete(peerRoot);
    }
  }

  Path volumeFile(TrunkId id) {
    return root.resolve("data")
        .resolve(PackedStore.DIR)
        .resolve(Volume.fileName(id.sourceKey(), id.volume()));
  }

  /** Blocks the filesystem holds for a file ({@code stat %b}, 512-byte units). */
  static long allocatedBytes(Path file) throws Exception {
    Process p =
        new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), out);
    return Long.parseLong(out) * 512;
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

  /**
   * What a download may read on its event loop: only slots this process wrote, within the window
   * at the end of what it wrote; never after a restart (those pages may be gone), never with 0.
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
