package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without fsync the trash's batches are spaced too ({@link Trash#forceSpacingNanos}): plain deletes
 * that come one at a time (a c=1 client) wake the trash's thread once per interval and are unlinked
 * together, not one wake-up each (benchmark/PROFILE.md, w1del26). Each is still gone from its name,
 * with its tombstone, when it is answered; only its unlink waits in the trash.
 */
class TrashSpacingWithoutFsyncTest {
  @TempDir Path dir;
  OneStorePath store;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "1M", 2, false);
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  @Test
  void deletesOneAtATimeWakeTheTrashOncePerIntervalAndAreUnlinkedTogether() throws Exception {
    Trash trash = store.files.trash();
    trash.forceSpacingNanos = TimeUnit.SECONDS.toNanos(3);
    int n = 12;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n + 1; i++) {
      names.add(store.upload(200_000, i));
    }
    // the first delete after a quiet time is unlinked at once
    store.delete(names.get(0));
    store.awaitTrashIdle();
    assertEquals(0, store.inTrash(), "a lone delete's file is unlinked at once");
    long wakeUps = trash.wakeUps.sum();
    long emptied = trash.emptied.sum();
    long unlinked = trash.unlinked.sum();

    long started = System.nanoTime();
    for (int i = 1; i <= n; i++) {
      store.delete(names.get(i)); // one at a time, as a c=1 client
      assertFalse(Files.exists(store.pathOf(names.get(i))), "gone from its name when answered");
      assertTrue(
          store.files.deletedSince(store.files.validate(store.files.group(), names.get(i)), 0),
          "tombstone when answered");
    }
    long took = System.nanoTime() - started;
    boolean withinSpacing = took < TimeUnit.SECONDS.toNanos(2);
    if (withinSpacing) {
      assertFalse(trash.idle(), "the batch waits for the spacing");
      assertEquals(n, store.inTrash(), "their unlinks wait in the trash meanwhile");
    }
    store.awaitTrashIdle();
    long wakes = trash.wakeUps.sum() - wakeUps;
    long batches = trash.emptied.sum() - emptied;
    System.out.printf(
        "%d deletes one at a time in %d ms: the trash woken %d times, %d batches%n",
        n, took / 1_000_000, wakes, batches);
    assertTrue(withinSpacing, "the deletes took over 2 s: the test says nothing");
    assertEquals(n, trash.unlinked.sum() - unlinked, "every file unlinked");
    assertEquals(0, store.inTrash(), "the trash is empty");
    assertTrue(wakes <= 1, n + " deletes one at a time woke the trash " + wakes + " times");
    assertTrue(batches <= 1, n + " deletes one at a time: " + batches + " batches");
  }

  @Test
  void aDeletedFilesMetadataFileGoesWithIt() throws Exception {
    String withMeta = store.upload(100_000, 1);
    String without = store.upload(100_000, 2);
    Path meta = StoredFiles.metadataPath(store.pathOf(withMeta));
    Files.write(meta, new byte[] {'k', 1, 'v'});
    store.delete(withMeta);
    store.delete(without);
    assertFalse(Files.exists(meta), "-m file removed with its file");
    assertFalse(Files.exists(store.pathOf(withMeta)));
    assertFalse(Files.exists(store.pathOf(without)));
    assertFalse(Files.exists(StoredFiles.metadataPath(store.pathOf(without))));
    assertFalse(DeleteRound.deleteMetadataIfExists(meta), "nothing left to remove");
    assertFalse(DeleteRound.deleteMetadataIfExists(null));
  }
}
