package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store path choice and directory distribution; free space comes from the real temp filesystem. */
class StorePathsTest {
  @TempDir Path dir;

  StorePaths paths(int count, String reserved, String selection, JsonArray readOnly)
      throws Exception {
    JsonArray roots = new JsonArray();
    for (int i = 0; i < count; i++) {
      roots.add(dir.resolve("s" + i).toString());
    }
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("storePaths", roots)
            .put("reservedSpace", reserved)
            .put("storePathSelection", selection)
            .put("readOnlyPaths", readOnly);
    StorePaths p = new StorePaths(StorageOptions.from(c));
    for (StorePath sp : p.all()) {
      Files.createDirectories(sp.data);
      sp.refreshSpace();
    }
    return p;
  }

  StorePaths paths(int count) throws Exception {
    return paths(count, "0", "round-robin", new JsonArray());
  }

  StorePaths distribution(int subdirs, int mode, int rotate) {
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("subdirCount", subdirs)
            .put("fileDistributeMode", mode)
            .put("fileDistributeRotateCount", rotate);
    return new StorePaths(StorageOptions.from(c));
  }

  @Test
  void requestedPathIsHonouredWhenItHasRoom() throws Exception {
    StorePaths p = paths(3);
    assertEquals(2, p.choose(2, 10).index);
    assertEquals(2, p.choose(2, 10).index);
  }

  @Test
  void requestedReadOnlyPathFallsBackToAWritableOne() throws Exception {
    StorePaths p = paths(2, "0", "round-robin", new JsonArray().add(1));
    for (int i = 0; i < 4; i++) {
      assertEquals(0, p.choose(1, 10).index);
    }
  }

  @Test
  void requestedPathAtItsReserveFallsBackToAnother() throws Exception {
    StorePaths p = paths(2, "0", "round-robin", new JsonArray());
    p.get(0).consumed(Long.MAX_VALUE); // free space accounted as 0 until the next refresh
    assertEquals(1, p.choose(0, 10).index);
  }

  @Test
  void storageChoiceRotatesRoundRobin() throws Exception {
    StorePaths p = paths(3);
    Set<Integer> seen = new HashSet<>();
    int first = p.choose(-1, 1).index;
    seen.add(first);
    int second = p.choose(-1, 1).index;
    int third = p.choose(-1, 1).index;
    seen.add(second);
    seen.add(third);
    assertEquals(Set.of(0, 1, 2), seen);
    assertEquals(first, p.choose(-1, 1).index);
  }

  @Test
  void roundRobinSkipsFullPaths() throws Exception {
    StorePaths p = paths(3);
    p.get(1).consumed(Long.MAX_VALUE);
    for (int i = 0; i < 6; i++) {
      assertNotEquals(1, p.choose(-1, 1).index);
    }
  }

  @Test
  void mostFreeSelectionPicksThePathWithMostFreeSpace() throws Exception {
    StorePaths p = paths(3, "0", "most-free", new JsonArray());
    p.get(0)
        .consumed(p.get(0).freeBytes() / 2); // large margins: all three share one real filesystem
    p.get(2).consumed(p.get(2).freeBytes() / 4);
    assertEquals(1, p.choose(-1, 1).index);
  }

  @Test
  void noPathWithRoomGivesEnospc() throws Exception {
    StorePaths p = paths(2, "100000T", "round-robin", new JsonArray());
    FdfsException e = assertThrows(FdfsException.class, () -> p.choose(0, 1));
    assertEquals(Errno.ENOSPC, e.errno());
  }

  @Test
  void fullPercentageReserveGivesEnospc() throws Exception {
    StorePaths p = paths(1, "100%", "most-free", new JsonArray());
    assertEquals(Errno.ENOSPC, assertThrows(FdfsException.class, () -> p.choose(-1, 1)).errno());
  }

  @Test
  void allPathsReadOnlyGivesEnospc() throws Exception {
    StorePaths p = paths(2, "0", "round-robin", new JsonArray().add(0).add(1));
    assertEquals(Errno.ENOSPC, assertThrows(FdfsException.class, () -> p.choose(-1, 1)).errno());
  }

  @Test
  void fileLargerThanTheFreeSpaceGivesEnospc() throws Exception {
    StorePaths p = paths(1);
    long free = p.get(0).freeBytes();
    assertEquals(Errno.ENOSPC, assertThrows(FdfsException.class, () -> p.choose(0, free)).errno());
  }

  @Test
  void outOfRangeIndexIsEinval() throws Exception {
    StorePaths p = paths(2);
    assertEquals(Errno.EINVAL, assertThrows(FdfsException.class, () -> p.choose(2, 1)).errno());
    assertEquals(Errno.EINVAL, assertThrows(FdfsException.class, () -> p.choose(-2, 1)).errno());
    assertEquals(Errno.EINVAL, assertThrows(FdfsException.class, () -> p.get(5)).errno());
  }

  @Test
  void percentageReserveIsAppliedToEachPath() throws Exception {
    StorePaths p = paths(1, "10%", "round-robin", new JsonArray());
    StorePath sp = p.get(0);
    assertEquals(sp.totalBytes() / 10, p.reserveOf(sp), 1);
    long headroom = sp.freeBytes() - p.reserveOf(sp);
    assertTrue(p.hasRoomFor(sp, headroom - 1));
    assertFalse(p.hasRoomFor(sp, headroom), "falling to the reserve is refused");
  }

  // ---- directories ---------------------------------------------------------------------------

  @Test
  void rotatingDirectoriesChangeEveryRotateCountFiles() {
    StorePaths p = distribution(256, 0, 100); // the cursor starts on a multiple of 100
    int[] first = p.directoryFor("x");
    for (int i = 1; i < 100; i++) {
      assertArrayEquals(first, p.directoryFor("x"), "file " + i);
    }
    int[] next = p.directoryFor("x");
    assertFalse(java.util.Arrays.equals(first, next));
  }

  @Test
  void rotationAdvancesTheLowDirectoryFirst() {
    StorePaths p = distribution(4, 0, 1);
    int[] a = p.directoryFor("x");
    int[] b = p.directoryFor("x");
    int cellA = a[0] * 4 + a[1];
    int cellB = b[0] * 4 + b[1];
    assertEquals((cellA + 1) % 16, cellB);
  }

  @Test
  void rotationVisitsEveryDirectoryAndStaysWithinSubdirCount() {
    StorePaths p = distribution(3, 0, 2);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2 * 9 * 2; i++) {
      int[] d = p.directoryFor("x");
      assertTrue(d[0] >= 0 && d[0] < 3 && d[1] >= 0 && d[1] < 3, d[0] + "/" + d[1]);
      seen.add(d[0] + "/" + d[1]);
    }
    assertEquals(9, seen.size());
  }

  @Test
  void hashModeStaysWithinSubdirCountAndIsStable() {
    StorePaths p = distribution(7, 1, 100);
    for (int i = 0; i < 500; i++) {
      String payload = "rBAE_V6FvsGAaK4NAAAcicv9J" + i;
      int[] d = p.directoryFor(payload);
      assertTrue(d[0] >= 0 && d[0] < 7 && d[1] >= 0 && d[1] < 7);
      assertArrayEquals(d, p.directoryFor(payload));
    }
  }

  @Test
  void pjwHashIsNonNegative() {
    assertTrue(StorePaths.pjwHash("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~") >= 0);
    assertEquals(0, StorePaths.pjwHash(""));
    assertEquals('A', StorePaths.pjwHash("A"));
  }

  @Test
  void hexNamesAreUpperCase() {
    assertEquals("0A", StorePaths.HEX[10]);
    assertEquals("FF", StorePaths.HEX[255]);
  }
}
