package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trash's directory forces are spaced ({@link Trash#forceSpacingNanos}): deletes that come one
 * at a time (c=1) share a force per directory within the interval instead of one each, and a file
 * whose directory is not forced yet is neither kept for an upload nor counted in the synced offset
 * (benchmark/PROFILE.md, deltrash).
 */
class TrashForceSpacingTest {
  @TempDir Path dir;
  OneStorePath store;
  Binlog binlog;
  TombstoneStore tombstones;

  @AfterEach
  void tearDown() throws Exception {
    if (tombstones != null) {
      tombstones.close();
    }
    if (binlog != null) {
      binlog.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void deletesOneAtATimeShareADirectoryForceAndNoneIsKeptOrSyncedBeforeIt() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    binlog = new Binlog(dir.resolve("sync/binlog"));
    store.files.binlog(binlog);
    tombstones =
        TombstoneStore.open(
            dir.resolve("sync/tombstones"),
            86_400,
            true,
            System.currentTimeMillis() / 1000,
            binlog);
    store.files.tombstones(tombstones);
    store.files.redoDeletes(); // as a start does: the synced offset is kept from now on
    Trash trash = store.files.trash();
    trash.forceSpacingNanos = TimeUnit.SECONDS.toNanos(3);

    int n = 12;
    List<String> names = new ArrayList<>();
    Set<Path> dirs = new HashSet<>();
    for (int i = 0; i < n + 2; i++) {
      names.add(store.upload(100_000, i));
      dirs.add(store.pathOf(names.get(i)).getParent());
    }
    // the first delete after a quiet time is forced at once and its file kept
    store.delete(names.get(0));
    store.awaitTrashIdle();
    assertEquals(1, store.files.recycled().keptFiles.sum(), "kept once its directory was forced");
    String reusing = store.upload(100_000, 100); // writes into the kept file
    assertEquals(1, store.files.recycled().reusedFiles.sum());

    long forcesBefore = trash.directoryForces.sum();
    long started = System.nanoTime();
    for (int i = 1; i <= n; i++) {
      store.delete(names.get(i)); // one at a time, as a c=1 client
    }
    long took = System.nanoTime() - started;
    boolean withinSpacing = took < TimeUnit.SECONDS.toNanos(2);
    if (withinSpacing) {
      // the force waits for the spacing: meanwhile nothing of these deletes is kept or synced
      assertFalse(trash.idle(), "the directory force waits for the spacing");
      assertEquals(1, store.files.recycled().keptFiles.sum(), "not kept before the force");
      String fresh = store.upload(100_000, 101);
      assertEquals(1, store.files.recycled().reusedFiles.sum(), "no unforced file reused");
      assertTrue(Files.exists(store.pathOf(fresh)));
      assertTrue(
          trash.syncedOffset() < binlog.size(),
          "the synced offset stays before the unforced deletes' lines");
    }
    store.awaitTrashIdle();
    long forces = trash.directoryForces.sum() - forcesBefore;
    System.out.printf(
        "%d deletes one at a time in %d ms: %d directory forces (%d directories)%n",
        n, took / 1_000_000, forces, dirs.size());
    assertTrue(withinSpacing, "the deletes took over 2 s: the test says nothing");
    assertTrue(
        forces <= dirs.size(), n + " deletes one at a time: " + forces + " directory forces");
    assertEquals(1 + n, store.files.recycled().keptFiles.sum(), "kept after the force");
    assertEquals(binlog.size(), trash.syncedOffset(), "synced after the force");
    for (int i = 1; i <= n; i++) {
      assertFalse(Files.exists(store.pathOf(names.get(i))));
    }
    assertTrue(Files.exists(store.pathOf(reusing)));
  }
}
