package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Packed small files in a group of two (W = 2, packed on both): the acknowledged upload's slot is
 * already in the peer's copy of the source's volume, at the offset its trunk name gives; deletes
 * and a member that was away catch up through the binlog like plain files.
 */
class PackedReplicationTest {
  TwoStorages group;
  Vertx vertx;
  Path dir;
  int portA;
  int portB;

  @BeforeEach
  void start() throws Exception {
    group =
        TwoStorages.start(
            "packed-repl",
            false,
            null,
            c ->
                c.put(
                    "packed",
                    new JsonObject()
                        .put("enabled", true)
                        .put("maxFileSize", "64K")
                        .put("volumeSize", "4M")));
    vertx = group.vertx;
    dir = group.dir;
    portA = group.portA;
    portB = group.portB;
  }

  @AfterEach
  void stop() {
    group.close();
  }

  StorageClient client(int port) throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void anAcknowledgedPackedUploadIsInThePeersVolumeAtTheSameOffset() throws Exception {
    for (int i = 0; i < 20; i++) {
      byte[] data = bytes(1000 + i * 2000, i);
      int port = i % 2 == 0 ? portA : portB;
      String[] id = client(port).upload_file(data, "bin", null);
      assertNotNull(id);
      assertEquals(60, id[1].length(), id[1]);
      // both members' disks, read directly: no fetch-on-miss can hide a missing replica
      assertArrayEquals(data, group.slotOn("a", id[1]), "on A: " + id[1]);
      assertArrayEquals(data, group.slotOn("b", id[1]), "on B: " + id[1]);
      assertArrayEquals(data, client(port == portA ? portB : portA).download_file(id[0], id[1]));
      // each member appends to volumes of its own: the name's source says whose
      assertEquals(
          port == portA ? 100001 : 100002, io.dfstree.fileid.FileName.decode(id[1]).sourceId());
    }
  }

  @Test
  void deletesReachThePeer() throws Exception {
    byte[] data = bytes(5000, 7);
    String[] id = client(portA).upload_file(data, "txt", null);
    assertArrayEquals(data, client(portB).download_file(id[0], id[1]));
    assertEquals(0, client(portA).delete_file(id[0], id[1]));
    GroupReplicationTest.waitFor(() -> client(portB).query_file_info(id[0], id[1]) == null);
    assertNull(client(portB).download_file(id[0], id[1]));
    // each member logs the delete once: A its own (D), B the one it applied (d); a member that
    // logged a peer's delete of a slot it no longer had made the two echo it back and forth
    Thread.sleep(1500); // several catch-up rounds each way
    for (String m : new String[] {"a", "b"}) {
      Path binlog = dir.resolve(m).resolve("data").resolve("sync").resolve("binlog");
      long deletes =
          Files.readAllLines(binlog).stream()
              .filter(l -> l.toUpperCase().contains(" D " + id[1].toUpperCase()))
              .count();
      assertEquals(1, deletes, "delete lines on " + m);
    }
  }

  @Test
  void metadataOfAPackedFileReachesThePeer() throws Exception {
    org.csource.common.NameValuePair[] meta = {
      new org.csource.common.NameValuePair("width", "640"),
      new org.csource.common.NameValuePair("author", "me")
    };
    String[] id = client(portA).upload_file(bytes(4000, 11), "jpg", meta);
    assertEquals(60, id[1].length(), id[1]);
    Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
    Path metaOnB = onB.resolveSibling(onB.getFileName() + "-m");
    // the -m file sits where a plain file's would, beside no file of its own on the peer either
    GroupReplicationTest.waitFor(() -> Files.exists(metaOnB));
    assertEquals("author\u0002me\u0001width\u0002640", Files.readString(metaOnB));
    // a later change (merge) follows, and the peer answers it to a client
    assertEquals(
        0,
        client(portA)
            .set_metadata(
                id[0],
                id[1],
                new org.csource.common.NameValuePair[] {
                  new org.csource.common.NameValuePair("width", "800")
                },
                org.csource.fastdfs.ProtoCommon.STORAGE_SET_METADATA_FLAG_MERGE));
    GroupReplicationTest.waitFor(
        () -> Files.readString(metaOnB).equals("author\u0002me\u0001width\u0002800"));
    org.csource.common.NameValuePair[] got = client(portB).get_metadata(id[0], id[1]);
    assertEquals(2, got.length);
    assertEquals("800", got[1].getValue());
    // and the delete takes it away on both members
    assertEquals(0, client(portA).delete_file(id[0], id[1]));
    GroupReplicationTest.waitFor(() -> !Files.exists(metaOnB));
    assertFalse(
        Files.exists(dir.resolve("a").resolve("data").resolve(id[1].substring(4) + "-m")));
  }

  @Test
  void aMemberThatWasAwayCatchesUpIntoTheSameSlots() throws Exception {
    vertx.undeploy(group.deployB).await();
    group.awaitGone(TwoStorages.B); // B is no longer an active peer: uploads go on degraded
    String[][] ids = new String[30][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = client(portA).upload_file(bytes(3000 + i, 100 + i), "dat", null);
      assertNotNull(ids[i]);
      assertEquals(60, ids[i][1].length());
    }
    assertEquals(0, client(portA).delete_file(ids[5][0], ids[5][1]));
    group.deploy(group.config(TwoStorages.B, portB, "b"));
    for (int i = 0; i < ids.length; i++) {
      if (i == 5) {
        continue;
      }
      String remote = ids[i][1];
      int k = i;
      GroupReplicationTest.waitFor(
          () -> java.util.Arrays.equals(bytes(3000 + k, 100 + k), group.slotOn("b", remote)));
    }
    assertNull(client(portB).query_file_info(ids[5][0], ids[5][1]));
  }
}
