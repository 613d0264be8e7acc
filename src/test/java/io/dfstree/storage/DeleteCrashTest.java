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
      runAndKill(root, stored, deleted);
      assertEquals(PACKED + PLAIN, stored.size(), "files stored before the deletes");
      assertTrue(deleted.size() >= 32, "acknowledged deletes before the kill: " + deleted.size());
      try (CrashDeleter.Node node = new CrashDeleter.Node(root)) {
        List<String> binlog =
            Files.readAllLines(root.resolve("sync/binlog"), java.nio.charset.StandardCharsets.US_ASCII);
        int kept = 0;
        for (Map.Entry<String, Long> e : stored.entrySet()) {
          String name = e.getKey();
          FileId id = node.files.validate("group1", name);
          boolean here = node.on(() -> node.engineFor(id).exists(id));
          if (deleted.contains(name)) {
            assertFalse(here, "acknowledged delete came back: " + name);
            assertNotNull(node.files.tombstones().deletedAt(name), "tombstone of " + name);
            assertTrue(
                binlog.stream().anyMatch(l -> l.endsWith(" D " + name)), "line of " + name);
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
            "delete crash: %d stored, %d deletes acknowledged before kill -9, %d not deleted kept%n",
            stored.size(), deleted.size(), kept);
      }
    } finally {
      TempTrees.delete(root);
    }
  }

  /** Runs the child until a third of the deletes are acknowledged, then kills it with -9. */
  private static void runAndKill(Path root, Map<String, Long> stored, Set<String> deleted)
      throws Exception {
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
                Integer.toString(PLAIN))
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
        } else if (line.equals("DONE")) {
          break;
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no stop, no checkpoint, no last force
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child killed");
    }
  }
}
