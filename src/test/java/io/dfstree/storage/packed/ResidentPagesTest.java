package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dfstree.fileid.TrunkId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * Whether a slot's pages are in the page cache ({@link PackedStore#residence}, {@link
 * ResidentPages}): the page cache's answer, not who wrote the slot or when — resident after a
 * restart, after a read brought it back; not resident once dropped; never a mapping past the file's
 * end (the file keeps its size); a volume that grows is mapped again as far as it reaches.
 */
class ResidentPagesTest extends PackedStoreFixture {
  @Test
  void residenceIsThePageCacheNotWhoWroteItOrWhen() throws IOException {
    TrunkId a = append(bytes(1, 4000), "jpg");
    TrunkId b = append(bytes(2, 60 * 1024), "jpg");
    assertEquals(PackedStore.Residence.IN_MEMORY, store.residence(a), "just written");
    assertEquals(PackedStore.Residence.IN_MEMORY, store.residence(b));

    reopen(); // before, nothing from before a restart counted as cheap to read
    assertFalse(store.recentlyWritten(a, 64L << 20));
    assertEquals(PackedStore.Residence.IN_MEMORY, store.residence(a), "still in the page cache");

    Path vol = store.locate(b).path();
    assumeTrue(
        PageCacheEviction.evict(vol, b.offset(), (long) b.offset() + b.slotLength()),
        "no O_DIRECT on this filesystem");
    assertEquals(PackedStore.Residence.ON_DISK, store.residence(b), "dropped from the page cache");
    assertArrayEquals(bytes(2, 60 * 1024), array(store.read(b)), "read from the disk, checked");
    assertEquals(PackedStore.Residence.IN_MEMORY, store.residence(b), "that read brought it back");

    // one page of the slot out of memory is enough to be ON_DISK: its last one
    long last = ((long) b.offset() + SlotHeader.SIZE + b.fileSize() - 1) / 4096 * 4096;
    assertTrue(PageCacheEviction.evict(vol, last, last + 1));
    assertEquals(PackedStore.Residence.ON_DISK, store.residence(b));

    store.close();
    assertEquals(PackedStore.Residence.UNKNOWN, store.residence(a), "closed: nothing to ask");
    store = null;
  }

  @Test
  void mapsOnlyWhatTheFileHoldsAndFollowsItsGrowth() throws IOException {
    Path f = root.resolve("grows.vol");
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(1, 8192)), 0);
      ResidentPages pages = new ResidentPages(f);
      assertEquals(PackedStore.Residence.IN_MEMORY, pages.resident(0, 8192));
      assertEquals(1, pages.mapped);
      assertEquals(PackedStore.Residence.ON_DISK, pages.resident(4096, 8192), "past the end");
      assertEquals(8192, Files.size(f), "asking past the end does not lengthen the file");

      ch.write(ByteBuffer.wrap(bytes(2, 1 << 20)), 1 << 20); // grows, a hole before it
      assertEquals(PackedStore.Residence.IN_MEMORY, pages.resident((1 << 20) + 100, 65 * 1024));
      assertEquals(2, pages.mapped, "mapped again as far as the file reaches now");
      assertEquals(PackedStore.Residence.ON_DISK, pages.resident(8192, 8192), "a hole, never read");
      assertEquals(2, pages.mapped);

      // a range across two pieces of the mapping: both asked
      long edge = ResidentPages.CHUNK;
      ch.write(ByteBuffer.wrap(bytes(3, 8192)), edge + 4096); // the first page past the edge: hole
      ch.write(ByteBuffer.wrap(bytes(4, 4096)), edge - 4096);
      assertEquals(PackedStore.Residence.IN_MEMORY, pages.resident(edge - 4096, 4096));
      assertEquals(PackedStore.Residence.ON_DISK, pages.resident(edge - 4096, 8192));
      ch.write(ByteBuffer.wrap(bytes(5, 4096)), edge);
      assertEquals(PackedStore.Residence.IN_MEMORY, pages.resident(edge - 100, 8192));
      assertEquals(edge + 12288, Files.size(f));

      pages.close();
      assertEquals(PackedStore.Residence.UNKNOWN, pages.resident(0, 4096));
      assertEquals(0, mappingsOf(f), "closed: nothing of it mapped");
    }
  }

  @Test
  void aGrowingVolumeKeepsOneMappingNotOneForEveryGrowth() throws IOException {
    Path f = root.resolve("busy.vol");
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ResidentPages pages = new ResidentPages(f);
      for (int mib = 0; mib < 40; mib++) { // a busy volume: asked about its newest slot each MiB
        ch.write(ByteBuffer.wrap(bytes(mib, 4096)), ((long) mib << 20) + 4096);
        assertEquals(
            PackedStore.Residence.IN_MEMORY, pages.resident(((long) mib << 20) + 4096, 4096));
      }
      assertEquals(40, pages.mapped, "mapped again as the file grew");
      assertEquals(1, mappingsOf(f), "the replaced mappings unmapped, not left to the collector");
      pages.close();
      assertEquals(0, mappingsOf(f));
    }
  }

  /** This process's mappings of {@code file} (/proc/self/maps). */
  private static long mappingsOf(Path file) throws IOException {
    String name = file.toRealPath().toString();
    try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
      return lines.filter(l -> l.endsWith(" " + name)).count();
    }
  }
}
