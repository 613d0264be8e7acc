package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TempTrees;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a storage's files in the middle of group-committed deletes (issue 9: deletes share one
 * durable round, {@link DeleteCommitter}): after a restart every acknowledged delete — packed and
 * plain — stays deleted, with its tombstone and its binlog line, and a peer's late copy of a
 * deleted slot is refused; every file whose delete was not acknowledged is either gone or reads
 * back its own bytes.
 */
class DeleteCrashTest {
  static final int PACKED = 240;
  static final int PLAIN = 40;

  @Test
  void acknowledgedDeletesOfABatchSurviveKillNineAndRestart() throws Exception {
    Path root = Files.createTempDirectory("delete-crash");
    Map<String, Long> stored = new HashMap<>();
    Set<String> deleted = new HashSet<>();
    try {
      long markedOnLoop = runAndKill(root, stored, deleted);
      assertEquals(PACKED + PLAIN, stored.size(), "files stored before the deletes");
      // most of each wave's packed deletes do not come alone: marked on the loop (grpdel2)
      assertTrue(
          markedOnLoop > 0, "acknowledged deletes marked on the event loop: " + markedOnLoop);
      assertTrue(deleted.size() >= 32, "acknowledged deletes before the kill: " + deleted.size());
      byte[] killed = Files.readAllBytes(root.resolve("sync/binlog"));
      int zerosLeft = 0;
      while (zerosLeft < killed.length && killed[killed.length - 1 - zerosLeft] == 0) {
        zerosLeft++;
      }
      try (CrashDeleter.Node node = new CrashDeleter.Node(root)) {
        byte[] lines = node.files.binlog().read(0, (int) node.files.binlog().size());
        assertEquals(node.files.binlog().size(), lines.length, "the restarted binlog reads whole");
        for (byte b : lines) {
          assertNotEquals(0, b, "no zero inside the restarted binlog's lines");
        }
        int kept = checkAfterRestart(node, root, stored, deleted);
        // a peer offering its copy of a deleted slot afterwards: refused, the slot stays deleted
        for (String name : deleted) {
          FileId id = node.files.validate("group1", name);
          if (!node.packed.owns(id)) {
            continue;
          }
          byte[] content = CrashDeleter.content(stored.get(name));
          assertThrows(
              Exception.class,
              () ->
                  node.on(
                      () -> {
                        NewBlob copy = node.packed.receive(0, -1);
                        copy.write(Buffer.buffer(content));
                        return copy.placeCopy(
                            node.ctx, id, TrunkId.parse(name).createTime() & 0xFFFFFFFFL, false);
                      }),
              "late copy of " + name);
          assertFalse(node.on(() -> node.packed.exists(id)), name);
        }
        System.out.printf(
            "delete crash: %d stored, %d deletes acknowledged before kill -9 (%d marked on the"
                + " event loop), %d not deleted kept; the binlog ended in %d bytes of zeros"
                + " written ahead%n",
            stored.size(), deleted.size(), markedOnLoop, kept, zerosLeft);
      }
    } finally {
      TempTrees.delete(root);
    }
  }

  /**
   * Without fsync (issue 9's fast configuration) plain files that are deleted together are unlinked
   * in their round, not moved into the trash (benchmark/PROFILE.md, w1del23): after kill -9 and a
   * restart every acknowledged delete stays deleted with its tombstone and line, the trash is
   * empty, and every file not deleted reads back its own bytes.
   */
  @Test
  void withoutFsyncAcknowledgedDeletesSurviveKillNineAndRestart() throws Exception {
    Path root = Files.createTempDirectory("delete-crash-nofsync");
    Map<String, Long> stored = new HashMap<>();
    Set<String> deleted = new HashSet<>();
    try {
      runAndKill(root, stored, deleted, false);
      assertEquals(PACKED + PLAIN, stored.size(), "files stored before the deletes");
      assertTrue(deleted.size() >= 32, "acknowledged deletes before the kill: " + deleted.size());
      try (CrashDeleter.Node node = new CrashDeleter.Node(root, false)) {
        checkAfterRestart(node, root, stored, deleted);
        long plainDeleted =
            deleted.stream()
                .filter(n -> !node.packed.owns(node.files.validate("group1", n)))
                .count();
        try (var trash = Files.list(node.files.paths().get(0).data.resolve(Trash.DIR))) {
          assertEquals(0, trash.count(), "nothing in the trash after the start");
        }
        assertTrue(plainDeleted > 0, "plain deletes acknowledged before the kill");
        System.out.printf(
            "delete crash without fsync: %d stored, %d deletes acknowledged before kill -9 (%d"
                + " plain)%n",
            stored.size(), deleted.size(), plainDeleted);
      }
    } finally {
      TempTrees.delete(root);
    }
  }

  /**
   * After the restart: every acknowledged delete stays deleted, with its tombstone and its {@code
   * D} line; every file still there reads back its own bytes. Returns how many were still there.
   */
  private static int checkAfterRestart(
      CrashDeleter.Node node, Path root, Map<String, Long> stored, Set<String> deleted)
      throws Exception {
    List<String> binlog =
        Files.readAllLines(
            root.resolve("sync/binlog"), java.nio.charset.StandardCharsets.US_ASCII);
    int kept = 0;
    for (Map.Entry<String, Long> e : stored.entrySet()) {
      String name = e.getKey();
      FileId id = node.files.validate("group1", name);
      boolean here = node.on(() -> node.engineFor(id).exists(id));
      if (deleted.contains(name)) {
        assertFalse(here, "acknowledged delete came back: " + name);
        assertNotNull(node.files.tombstones().deletedAt(name), "tombstone of " + name);
        assertTrue(binlog.stream().anyMatch(l -> l.endsWith(" D " + name)), "line of " + name);
      } else if (here) {
        kept++;
        byte[] want = CrashDeleter.content(e.getValue());
        BlobEngine.BlobRead r = node.on(() -> node.engineFor(id).open(id));
        byte[] got = new byte[(int) r.length()];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(r.path())) {
          ch.read(java.nio.ByteBuffer.wrap(got), r.offset());
        }
        assertArrayEquals(want, got, "bytes of " + name);
      }
    }
    return kept;
  }

  /** Runs the child until a third of the deletes are acknowledged, then kills it with -9. */
  private static long runAndKill(Path root, Map<String, Long> stored, Set<String> deleted)
      throws Exception {
    return runAndKill(root, stored, deleted, true);
  }

  /** As above, the child's files with {@code fsync} on or off. */
  private static long runAndKill(
      Path root, Map<String, Long> stored, Set<String> deleted, boolean fsync) throws Exception {
    long markedOnLoop = 0;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashDeleter.class.getName(),
                root.toString(),
                Integer.toString(PACKED),
                Integer.toString(PLAIN),
                fsync ? "fsync" : "nofsync")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      long deadline = System.currentTimeMillis() + 90_000;
      String line;
      while (System.currentTimeMillis() < deadline && (line = in.readLine()) != null) {
        if (line.startsWith("U ")) {
          String[] p = line.split(" ");
          stored.put(p[2], Long.parseLong(p[1]));
        } else if (line.startsWith("D ")) {
          deleted.add(line.substring(2));
          if (deleted.size() >= (PACKED + PLAIN) / 3) {
            break;
          }
        } else if (line.startsWith("M ")) {
          markedOnLoop = Long.parseLong(line.substring(2));
        } else if (line.equals("DONE")) {
          break;
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no stop, no checkpoint, no last force
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child killed");
    }
    return markedOnLoop;
  }

  /** Waits until the trash forced and unlinked what the deletes left it (bounded). */
  static void trashIdle(CrashDeleter.Node node) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!node.files.trash().idle() && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(node.files.trash().idle(), "trash emptied");
  }

  /**
   * A plain delete is answered once its binlog line is forced; the directory it left is forced
   * behind the answer ({@link Trash}). A crash before that force may bring the file back (ext4
   * without a journal writes the directory block when it likes): the start removes it again, from
   * the binlog's delete lines after the last offset whose directories were forced. Simulated: the
   * file's bytes put back at its name and the synced offset put back to before the delete, as a
   * crash before the trash's force leaves them. Fails without the redo at start.
   */
  @Test
  void aPlainFileThatACrashBroughtBackIsRemovedAtStart() throws Exception {
    Path root = Files.createTempDirectory("delete-redo");
    try {
      String name;
      String reuploaded;
      byte[] bytes = CrashDeleter.content(1001);
      Path file;
      Path mark = root.resolve("s0/data/sync/" + Trash.MARK);
      byte[] markBefore;
      try (CrashDeleter.Node node = new CrashDeleter.Node(root)) {
        name = store(node, bytes);
        reuploaded = store(node, CrashDeleter.content(1002));
        FileId id = node.files.validate("group1", name);
        file = node.files.pathOf(id);
        assertTrue(Files.exists(file));
        markBefore = Files.readAllBytes(mark);
        node.on(() -> node.plain.delete(node.ctx, id));
        assertFalse(Files.exists(file), "gone from its name when answered");
        trashIdle(node);
        long kept = node.files.recycled().keptFiles.sum(); // for an upload (RecycledFiles)
        try (var trash = Files.list(node.files.paths().get(0).data.resolve(Trash.DIR))) {
          assertEquals(kept, trash.count(), "unlinked (or kept for an upload) behind the answer");
        }
        assertTrue(node.files.trash().unlinked.sum() + kept >= 1);
        assertFalse(
            java.util.Arrays.equals(markBefore, Files.readAllBytes(mark)),
            "the synced offset moved past the delete once its directory was forced");
      }
      // the crash: the directory's old block (the name still there) and the old synced offset
      Files.write(file, bytes);
      Files.write(mark, markBefore);
      // and a file left in the trash by a process that died before unlinking it
      Path left = root.resolve("s0/data/" + Trash.DIR + "/7-left-behind");
      Files.write(left, bytes);
      try (CrashDeleter.Node node = new CrashDeleter.Node(root)) {
        FileId id = node.files.validate("group1", name);
        assertFalse(Files.exists(file), "an answered delete a crash undid is done again at start");
        assertFalse(node.on(() -> node.plain.exists(id)));
        assertEquals(1, node.redonePlainDeletes);
        assertFalse(Files.exists(left), "the trash is emptied at start");
        try (var trash = Files.list(node.files.paths().get(0).data.resolve(Trash.DIR))) {
          assertEquals(0, trash.count(), "kept files too");
        }
        FileId other = node.files.validate("group1", reuploaded);
        assertTrue(node.on(() -> node.plain.exists(other)), "a file not deleted stays");
      }
    } finally {
      TempTrees.delete(root);
    }
  }

  private static String store(CrashDeleter.Node node, byte[] b) throws Exception {
    return node.on(
        () -> {
          NewBlob blob = node.plain.create(0, b.length, false, "bin");
          blob.write(Buffer.buffer(b));
          return blob.place();
        });
  }

  /**
   * The binlog is not trimmed past plain deletes whose directories the trash has not forced yet
   * ({@link BinlogTrim} takes {@link Trash#syncedOffset}): a start could not redo them.
   */
  @Test
  void theBinlogIsNotTrimmedPastDeletesWhoseDirectoriesAreNotForced() throws Exception {
    Path root = Files.createTempDirectory("delete-trim");
    try (CrashDeleter.Node node = new CrashDeleter.Node(root)) {
      String first = store(node, CrashDeleter.content(1003));
      String second = store(node, CrashDeleter.content(1004));
      assertEquals(
          node.files.binlog().size(), node.files.trash().syncedOffset(), "nothing pending");
      java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      node.files.trash().afterUnlinks =
          index -> {
            busy.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      try {
        node.on(() -> node.plain.delete(node.ctx, node.files.validate("group1", first)));
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        long afterFirst = node.files.binlog().size();
        node.on(() -> node.plain.delete(node.ctx, node.files.validate("group1", second)));
        assertTrue(node.files.binlog().size() > afterFirst);
        assertTrue(
            node.files.trash().syncedOffset() <= afterFirst,
            "not past the second delete's line while its directory waits for its force");
      } finally {
        release.countDown();
      }
      trashIdle(node);
      assertEquals(node.files.binlog().size(), node.files.trash().syncedOffset());
    } finally {
      TempTrees.delete(root);
    }
  }
}
