package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tombstone file: read back after a restart, expired entries dropped, compacted, a torn last line ignored. */
class TombstoneStoreTest {
  static final long DAY = 86_400;
  @TempDir Path dir;

  @Test
  void tombstonesSurviveAReopenUntilTheyExpire() throws Exception {
    Path f = dir.resolve("sync/tombstones");
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000);
    s.bury("M00/00/00/a.txt", 1_000_000);
    s.bury("M00/00/00/b.txt", 1_000_000 - 9 * DAY);
    s.bury("M00/00/00/a.txt", 1_000_010); // deleted again later (a slave name re-uploaded, deleted)
    s.close();
    Files.writeString(f, Files.readString(f) + "1000020 M00/00", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(f, Files.readString(f) + "\n12x", java.nio.file.StandardOpenOption.APPEND);

    TombstoneStore again = TombstoneStore.open(f, 10 * DAY, true, 1_000_100);
    assertEquals(1_000_010L, again.deletedAt("M00/00/00/a.txt"), "the latest delete counts");
    assertEquals(1_000_000L - 9 * DAY, again.deletedAt("M00/00/00/b.txt"));
    assertNull(again.deletedAt("M00/00/00/c.txt"));
    again.close();

    TombstoneStore later = TombstoneStore.open(f, 10 * DAY, true, 1_000_000 + 2 * DAY);
    assertNull(later.deletedAt("M00/00/00/b.txt"), "expired after the retention");
    assertEquals(1_000_010L, later.deletedAt("M00/00/00/a.txt"));
    later.close();
  }

  @Test
  void repeatedDeletesOfFewNamesKeepTheFileSmall() throws Exception {
    Path f = dir.resolve("tombstones");
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, false, 1000);
    for (int i = 0; i < 10_000; i++) {
      s.bury("M00/00/00/name-" + (i % 10), 1000 + i);
    }
    assertEquals(10, s.size());
    assertTrue(Files.readAllLines(f).size() <= 2048, "compacted: " + Files.readAllLines(f).size() + " lines");
    s.close();
    TombstoneStore again = TombstoneStore.open(f, 10 * DAY, false, 20_000);
    assertEquals(10_999L, again.deletedAt("M00/00/00/name-9"));
    again.close();
  }
}
