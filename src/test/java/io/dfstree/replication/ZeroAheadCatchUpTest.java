package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With fsync on, a storage's binlog is written with zeros ahead of its lines while it runs ({@code
 * Binlog.ZERO_AHEAD}): a member that was away catches up from it over the binlog read command (121)
 * without taking the zeros for lines, and a member stopped cleanly leaves a binlog that ends with
 * its last line, as before.
 */
class ZeroAheadCatchUpTest {
  TwoStorages group;

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  StorageClient client(int port) throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  /** Bytes of {@code binlog} after its last line (zeros written ahead, or nothing). */
  static long pastLastLine(Path binlog) throws Exception {
    byte[] b = Files.readAllBytes(binlog);
    int end = b.length;
    while (end > 0 && b[end - 1] != '\n') {
      assertEquals(0, b[end - 1], "only zeros after the last line of " + binlog);
      end--;
    }
    return b.length - end;
  }

  @Test
  void aMemberCatchesUpFromABinlogWrittenAheadAndACleanStopCutsTheZerosOff() throws Exception {
    group =
        TwoStorages.start(
            "zero-ahead",
            false,
            null,
            c ->
                c.put("fsync", true)
                    .put(
                        "packed",
                        new JsonObject()
                            .put("enabled", true)
                            .put("maxFileSize", "64K")
                            .put("volumeSize", "4M")));
    group.vertx.undeploy(group.deployB).await();
    group.awaitGone(TwoStorages.B); // uploads go on degraded, the deletes are A's alone
    String[][] ids = new String[30][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = client(group.portA).upload_file(bytes(3000 + i, 100 + i), "dat", null);
      assertNotNull(ids[i]);
    }
    for (int i = 0; i < ids.length; i += 3) {
      assertEquals(0, client(group.portA).delete_file(ids[i][0], ids[i][1]));
    }
    Path binlogA = group.data("a").resolve("sync").resolve("binlog");
    assertTrue(pastLastLine(binlogA) > 0, "A's running binlog is written ahead");

    group.restartB(c -> c);
    for (int i = 0; i < ids.length; i++) {
      String remote = ids[i][1];
      if (i % 3 == 0) {
        GroupReplicationTest.waitFor(
            () -> client(group.portB).query_file_info(ids[0][0], remote) == null);
        continue;
      }
      int k = i;
      GroupReplicationTest.waitFor(
          () -> java.util.Arrays.equals(bytes(3000 + k, 100 + k), group.slotOn("b", remote)));
    }
    Path binlogB = group.data("b").resolve("sync").resolve("binlog");
    GroupReplicationTest.waitFor(() -> pastLastLine(binlogB) > 0);
    group.vertx.undeploy(group.deployB).await();
    assertEquals(0, pastLastLine(binlogB), "a clean stop leaves the binlog ending with a line");
    String log = Files.readString(binlogB, java.nio.charset.StandardCharsets.US_ASCII);
    assertFalse(log.isEmpty() || log.contains("\0"), "B's binlog: lines only");
  }
}
