package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trash's thread runs in {@code SCHED_IDLE} at nice 19 ({@link Trash#IDLE_CLASS}, {@link
 * Trash#NICE}): its bursts of unlinks behind the answers yield the core to the threads that serve
 * requests (benchmark/PROFILE.md, trashnice29). Read back from the kernel: every {@code
 * dfstree-trash} thread of this process has that policy and nice value in its {@code
 * /proc/self/task/<tid>/stat}, and the deleted file is unlinked all the same.
 */
class TrashNiceTest {
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
  void theTrashThreadRunsNicedAndStillUnlinks() throws Exception {
    store.delete(store.upload(300_000, 7));
    store.awaitTrashIdle();
    assertEquals(0, store.inTrash(), "the deleted file was unlinked by the niced thread");
    List<int[]> threads = trashThreads();
    assertFalse(threads.isEmpty(), "a dfstree-trash thread is alive (it idles 30 s before ending)");
    for (int[] t : threads) {
      assertEquals(Trash.NICE, t[0], "nice of a dfstree-trash thread");
      assertEquals(Trash.IDLE_CLASS ? 5 : 0, t[1], "policy (5: SCHED_IDLE, 0: SCHED_OTHER)");
    }
    assertEquals(19, Trash.NICE, "the default");
    assertEquals(true, Trash.IDLE_CLASS, "the default");
  }

  @Test
  void aTrashFarBehindLeavesTheNextDeletesToUnlinkInTheirRound() throws Exception {
    Trash trash = store.files.trash();
    trash.maxPending = 3;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      names.add(store.upload(300_000, i));
    }
    store.delete(names.get(0)); // after a quiet time: emptied at once
    store.awaitTrashIdle();
    // the next batches wait out a spacing of 5 s in the trash, as behind a busy machine
    trash.forceSpacingNanos = TimeUnit.SECONDS.toNanos(5);
    for (int i = 1; i < 8; i++) {
      store.delete(names.get(i));
      assertFalse(Files.exists(store.pathOf(names.get(i))), "deleted from its name: " + i);
    }
    assertEquals(
        3, store.inTrash(), "the trash holds maxPending files; the rest were unlinked at once");
    assertFalse(trash.idle(), "the trash's batch is still waiting");
    store.awaitTrashIdle(); // the waiting batch is emptied once its spacing is over
    assertEquals(0, store.inTrash(), "and the trash caught up");
  }

  /**
   * The nice value and scheduling policy (fields 19 and 41 of stat) of every thread of this process
   * named dfstree-trash.
   */
  static List<int[]> trashThreads() throws Exception {
    List<int[]> out = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String comm;
        String stat;
        try {
          comm = Files.readString(task.resolve("comm")).trim();
          stat = Files.readString(task.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue; // the thread ended meanwhile
        }
        if (!comm.equals("dfstree-trash")) {
          continue;
        }
        // after the ")" that ends the name: state is field 3, nice 19, policy 41
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out.add(new int[] {Integer.parseInt(f[19 - 3]), Integer.parseInt(f[41 - 3])});
      }
    }
    return out;
  }
}
