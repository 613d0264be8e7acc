package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TempTrees;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The packed store on real files, without sockets: append, read, delete, reserve, replicas,
 * compaction.
 */
class PackedStoreTest extends PackedStoreFixture {
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

  /** Blocks the filesystem holds for a file ({@code stat %b}, 512-byte units). */
  static long allocatedBytes(Path file) throws Exception {
    Process p =
        new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), out);
    return Long.parseLong(out) * 512;
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
}
