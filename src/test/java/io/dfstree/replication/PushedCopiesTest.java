package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import io.dfstree.api.StorageCounters;
import io.dfstree.client.FdfsClient;
import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.config.Config;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A group of two with a write quorum of 1: each upload's copy is pushed to the peer while the
 * upload arrives (ReplicaFanout.push), so the peer's catch-up no longer downloads the files one by
 * one behind the uploads; a copy the push could not deliver still comes by catch-up.
 */
class PushedCopiesTest {
  static final int A = TwoStorages.A;
  static final int B = TwoStorages.B;

  TwoStorages group;

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
  }

  /** A W=1 group with the push at its defaults (on, uploads up to 64K). */
  void start(UnaryOperator<JsonObject> tune) throws Exception {
    group = TwoStorages.start("w1-push", false, null, c -> tune.apply(c.put("writeQuorum", 1)));
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  StorageClient client(int port) throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  /** Catch-up slowed right down on both members: a copy on B can only have been pushed. */
  static JsonObject noCatchUp(JsonObject c) {
    return c.put("catchUpIntervalMs", 600_000);
  }

  @Test
  void aWriteQuorumOfOnePushesEachCopyWithoutCatchUp() throws Exception {
    // up to 134 KB: copies above 64K are streamed while they arrive once the limit allows them
    start(c -> noCatchUp(c).put("pushCopiesMaxSize", "1M"));
    StorageClient a = client(group.portA);
    for (int i = 0; i < 20; i++) {
      byte[] data = bytes(1000 + i * 7000, i);
      String[] id = a.upload_file(data, "bin", null);
      assertNotNull(id);
      Path onB = group.file("b", id[1]);
      // the client was not kept waiting for B: the copy arrives shortly after the answer
      GroupReplicationTest.waitFor(() -> Files.exists(onB));
      assertArrayEquals(data, Files.readAllBytes(onB), id[1]);
    }
  }

  @Test
  void packedUploadsArePushedIntoThePeersVolume() throws Exception {
    start(
        c ->
            noCatchUp(c)
                .put(
                    "packed",
                    new JsonObject()
                        .put("enabled", true)
                        .put("maxFileSize", "64K")
                        .put("volumeSize", "4M")));
    StorageClient a = client(group.portA);
    for (int i = 0; i < 20; i++) {
      byte[] data = bytes(500 + i * 2000, 70 + i);
      String[] id = a.upload_file(data, "bin", null);
      assertEquals(60, id[1].length(), id[1]);
      GroupReplicationTest.waitFor(() -> group.slotOn("b", id[1]) != null);
      assertArrayEquals(data, group.slotOn("b", id[1]), id[1]);
    }
  }

  /**
   * The lag the push removes, counted: with catch-up at its test pace (every 100 ms), B used to
   * download every W=1 upload from A behind the uploads. Now A serves (almost) no peer download:
   * catch-up finds the pushed copies held and skips them. A few may still race the push (catch-up
   * read the line before the copy was named to B); before the push, all of them were downloaded.
   */
  @Test
  void catchUpDownloadsNoneOfThePushedCopies() throws Exception {
    start(c -> c);
    int trackerPort = TestPorts.free();
    group
        .vertx
        .deployVerticle(
            "io.dfstree.tracker.TrackerVerticle",
            new DeploymentOptions()
                .setConfig(
                    Config.defaults()
                        .getJsonObject("tracker")
                        .copy()
                        .put("host", "127.0.0.1")
                        .put("port", trackerPort)
                        .put("heartbeatTimeoutMs", 1500)))
        .await();
    group.awaitHeard(A, B);
    FdfsClient stats =
        new FdfsClient(
            FdfsClientOptions.of(List.of(ServerAddress.parse("127.0.0.1:" + trackerPort, 22122))));
    StorageClient a = client(group.portA);
    int n = 40;
    String[][] ids = new String[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = a.upload_file(bytes(3000 + i, 200 + i), "bin", null);
    }
    for (String[] id : ids) {
      GroupReplicationTest.waitFor(() -> Files.exists(group.file("b", id[1])));
    }
    // B has read A's binlog to its end after the last upload: every line was looked at
    Thread.sleep(1000);
    long servedToPeers =
        stats.listStorages("group1", Integer.toString(A)).get(0).counter(StorageCounters.TOTAL_DOWNLOAD);
    assertTrue(
        servedToPeers <= n / 4,
        "A served " + servedToPeers + " downloads to B's catch-up for " + n + " pushed uploads");
  }

  @Test
  void aCopyThePushCouldNotDeliverComesByCatchUp() throws Exception {
    start(c -> c);
    group.vertx.undeploy(group.deployB).await();
    group.awaitGone(B); // no member to push to: each upload is stored once, acknowledged at once
    String[][] ids = new String[15][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = client(group.portA).upload_file(bytes(4000 + i, 300 + i), "dat", null);
      assertNotNull(ids[i]);
    }
    group.restartB(c -> c);
    for (int i = 0; i < ids.length; i++) {
      Path onB = group.file("b", ids[i][1]);
      GroupReplicationTest.waitFor(() -> Files.exists(onB));
      assertArrayEquals(bytes(4000 + i, 300 + i), Files.readAllBytes(onB));
    }
  }

  /**
   * W=1 without fsync (the benchmark's ours-w1): a client's delete of a packed file just uploaded
   * is marked and recorded on A's event loop (w1del), and B still applies it from A's binlog: the
   * pushed copy is gone from B too, and a download there finds nothing.
   */
  @Test
  void deletesOfPackedFilesMadeOnTheEventLoopStillReachThePeer() throws Exception {
    start(
        c ->
            c.put(
                "packed",
                new JsonObject()
                    .put("enabled", true)
                    .put("maxFileSize", "64K")
                    .put("volumeSize", "4M")
                    .put("inlineReadWindow", "64M")));
    StorageClient a = client(group.portA);
    int n = 10;
    String[][] ids = new String[n][];
    for (int i = 0; i < n; i++) {
      byte[] data = bytes(2000 + i, 900 + i);
      ids[i] = a.upload_file(data, "bin", null);
      String[] id = ids[i];
      GroupReplicationTest.waitFor(() -> group.slotOn("b", id[1]) != null);
      assertArrayEquals(data, client(group.portB).download_file("group1", id[1]));
    }
    for (String[] id : ids) {
      assertEquals(0, client(group.portA).delete_file("group1", id[1]), id[1]);
      assertNull(client(group.portA).download_file("group1", id[1]));
    }
    for (String[] id : ids) {
      GroupReplicationTest.waitFor(
          () -> client(group.portB).download_file("group1", id[1]) == null);
    }
  }
}
