package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store path's layout on disk: data directories, temp directories, and leftovers removed at
 * start.
 */
class StorePathTest {
  @TempDir Path dir;

  @Test
  void prepareCreatesTheDataAndTempDirectoriesAndRemovesLeftoverTempFiles() throws Exception {
    StorePath p = new StorePath(0, dir.resolve("s0"), false);
    p.prepare(4);
    for (String h : new String[] {"00", "03"}) {
      for (String l : new String[] {"00", "03"}) {
        assertTrue(Files.isDirectory(p.data.resolve(h).resolve(l)), h + "/" + l);
      }
    }
    assertFalse(Files.exists(p.data.resolve("04")), "only subdirCount directories per level");
    for (int i = 0; i < StorePath.TEMP_DIRS; i++) {
      assertTrue(Files.isDirectory(p.tmp.resolve(StorePaths.HEX[i])), "temp dir " + i);
    }
    // an upload that never completed, before and after this version's layout
    Path spread = p.tempFile("up-1-1");
    Files.writeString(spread, "partial");
    Path old = p.tmp.resolve("up-1-2");
    Files.writeString(old, "partial");
    Path stored = p.data.resolve("00").resolve("00").resolve("kept");
    Files.writeString(stored, "a stored file");

    new StorePath(0, dir.resolve("s0"), false).prepare(4);
    assertFalse(Files.exists(spread), "leftover temp file removed");
    assertFalse(Files.exists(old), "leftover in the old temp dir removed");
    assertTrue(Files.exists(stored), "stored files are not touched");
  }

  @Test
  void tempFilesTakeTurnsOverTheTempDirectories() throws Exception {
    StorePath p = new StorePath(0, dir.resolve("s0"), false);
    Set<Path> parents = new HashSet<>();
    for (int i = 0; i < StorePath.TEMP_DIRS; i++) {
      Path t = p.tempFile("up-" + i);
      assertEquals(p.tmp, t.getParent().getParent(), "under .tmp/HH");
      parents.add(t.getParent());
    }
    assertEquals(StorePath.TEMP_DIRS, parents.size(), "every temp directory is used in turn");
  }
}
