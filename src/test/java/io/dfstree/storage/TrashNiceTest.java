package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.buffer.Buffer;
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
 * The trash's thread runs niced ({@link Trash#NICE}): its bursts of unlinks behind the answers
 * yield the core to the threads that serve requests (benchmark/PROFILE.md, trashnice29). Read back
 * from the kernel: every {@code dfstree-trash} thread of this process has that nice value in its
 * {@code /proc/self/task/<tid>/stat}, and the deleted file is unlinked all the same.
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
    byte[] b = new byte[300_000];
    new java.util.Random(7).nextBytes(b);
    FileWriteStream upload = store.files.newUpload(store.path);
    upload.write(Buffer.buffer(b));
    String name =
        store.files.placeNew(upload, store.path, false, "bin").await(10, TimeUnit.SECONDS);
    StoredFiles files = store.files;
    files
        .delete(store.vertx.getOrCreateContext(), files.validate(files.group(), name))
        .await(10, TimeUnit.SECONDS);
    store.awaitTrashIdle();
    try (var left = Files.list(store.path.data.resolve(Trash.DIR))) {
      assertEquals(0, left.count(), "the deleted file was unlinked by the niced thread");
    }
    List<Integer> nices = trashThreadNices();
    assertFalse(nices.isEmpty(), "a dfstree-trash thread is alive (it idles 30 s before ending)");
    for (int nice : nices) {
      assertEquals(Trash.NICE, nice, "nice of a dfstree-trash thread: " + nices);
    }
    assertEquals(10, Trash.NICE, "the default");
  }

  /** The nice value (field 19 of stat) of every thread of this process named dfstree-trash. */
  static List<Integer> trashThreadNices() throws Exception {
    List<Integer> out = new ArrayList<>();
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
        // after the ")" that ends the name: state is field 3, nice field 19
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out.add(Integer.parseInt(f[19 - 3]));
      }
    }
    return out;
  }
}
