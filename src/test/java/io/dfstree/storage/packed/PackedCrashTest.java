package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TempTrees;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a real process in the middle of its batches: after a restart every acknowledged file
 * reads back whole, every acknowledged delete stays deleted, and no slot reads as valid with bytes
 * other than its own.
 */
class PackedCrashTest {

  @Test
  void killNineDuringBatchesLosesNothingAcknowledged() throws Exception {
    Path root = Files.createTempDirectory("packed-crash");
    Set<String> appended = new HashSet<>();
    Set<String> deleted = new HashSet<>();
    Set<String> asked = new HashSet<>(); // deletes asked for, maybe not acknowledged
    try {
      for (int round = 0; round < 3; round++) {
        runAndKill(root, round * 100_000_000L, 400 + round * 100, appended, deleted, asked);
        verify(root, appended, deleted, asked);
      }
      assertTrue(appended.size() >= 1500, "acknowledged appends: " + appended.size());
    } finally {
      TempTrees.delete(root);
    }
  }

  private static void runAndKill(
      Path root,
      long seedBase,
      int acks,
      Set<String> appended,
      Set<String> deleted,
      Set<String> asked)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashAppender.class.getName(),
                root.toString(),
                Long.toString(seedBase))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      String first;
      while ((first = in.readLine()) != null && !first.equals("READY")) {
        // log lines of the child's start
      }
      assertEquals("READY", first);
      int seen = 0;
      long deadline = System.currentTimeMillis() + 60_000;
      String line;
      while (seen < acks
          && System.currentTimeMillis() < deadline
          && (line = in.readLine()) != null) {
        if (line.startsWith("A ")) {
          appended.add(line.substring(2));
          seen++;
        } else if (line.startsWith("D ")) {
          deleted.add(line.substring(2));
        } else if (line.startsWith("d ")) {
          asked.add(line.substring(2));
        }
      }
      assertEquals(acks, seen, "the child acknowledged too few appends before the deadline");
      child
          .toHandle()
          .destroyForcibly(); // SIGKILL, mid-batch: it never stops appending; streams stay open
      // lines already printed before the kill were acknowledged too
      while ((line = in.readLine()) != null) {
        if (line.startsWith("A ")) {
          appended.add(line.substring(2));
        } else if (line.startsWith("D ")) {
          deleted.add(line.substring(2));
        } else if (line.startsWith("d ")) {
          asked.add(line.substring(2));
        }
      }
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, child.exitValue(), "killed by SIGKILL");
    } finally {
      child.destroyForcibly();
    }
  }

  private static void verify(
      Path root, Set<String> appended, Set<String> deleted, Set<String> asked) throws Exception {
    try (PackedStore store =
        PackedStore.open(
            root, 0, 0x0100007F, PackedOptions.defaults(true).withVolumeSize(4 << 20))) {
      int undecided = 0;
      for (String name : appended) {
        TrunkId id = TrunkId.parse(name);
        if (deleted.contains(name)) {
          FdfsException e = assertThrows(FdfsException.class, () -> store.read(id), name);
          assertEquals(Errno.ENOENT, e.errno());
          // not even the index holds it (an index checkpoint older than the delete is not used)
          assertFalse(store.contains(id), "the index still holds a deleted file: " + name);
        } else if (asked.contains(name)) {
          // a delete the kill interrupted: gone, or whole — never anything else
          if (store.contains(id)) {
            assertSeedContent(store.read(id), name);
          }
          undecided++;
        } else {
          assertSeedContent(store.read(id), name);
        }
      }
      // every slot the volumes hold — acknowledged or caught by the kill — is what it claims
      List<TrunkId> listed = new ArrayList<>();
      store.list(listed::add);
      for (TrunkId id : listed) {
        assertSeedContent(store.read(id), id.remoteName());
        assertFalse(deleted.contains(id.remoteName()), "a deleted file came back: " + id);
      }
      assertTrue(listed.size() >= appended.size() - deleted.size() - undecided);
      // and the store takes new files where the old ones end
      TrunkId more = store.append(ByteBuffer.wrap(CrashAppender.content(-1)), "").join();
      assertSeedContent(store.read(more), more.remoteName());
      store.delete(more).join();
    }
  }

  private static void assertSeedContent(ByteBuffer content, String name) {
    long seed = content.getLong(0);
    byte[] expected = CrashAppender.content(seed);
    byte[] actual = new byte[content.remaining()];
    content.duplicate().get(actual);
    assertArrayEquals(expected, actual, name);
  }
}
