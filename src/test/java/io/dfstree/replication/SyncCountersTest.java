package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import io.dfstree.api.StorageCounters;
import io.dfstree.client.FdfsClient;
import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.config.Config;
import io.dfstree.protocol.StorageStat;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tracker and two storages of one group in one JVM: the FastDFS sync counters move as replicas
 * travel, and list-storages (so {@code monitor}) shows them. Copies streamed by the write quorum
 * are sync-out on the source and sync-in on the peer; so are files a returning member catches up
 * on.
 */
class SyncCountersTest {
  static final int FILE = 300_000;
  static final int A = 100001;
  static final int B = 100002;

  TwoStorages group;
  Vertx vertx;
  int trackerPort;
  int portA;
  int portB;

  @BeforeEach
  void start() throws Exception {
    group = TwoStorages.start("sync-counters", false, null, c -> c);
    vertx = group.vertx;
    portA = group.portA;
    portB = group.portB;
    trackerPort = TestPorts.free();
    JsonObject tracker =
        Config.defaults()
            .getJsonObject("tracker")
            .copy()
            .put("host", "127.0.0.1")
            .put("port", trackerPort)
            .put("heartbeatTimeoutMs", 1500);
    vertx
        .deployVerticle(
            "io.dfstree.tracker.TrackerVerticle", new DeploymentOptions().setConfig(tracker))
        .await();
    group.awaitHeard(TwoStorages.A, TwoStorages.B); // the tracker has both members
  }

  @AfterEach
  void stop() {
    group.close();
  }

  StorageStat stat(int id) throws Exception {
    FdfsClient client =
        new FdfsClient(
            FdfsClientOptions.of(List.of(ServerAddress.parse("127.0.0.1:" + trackerPort, 22122))));
    return client.listStorages("group1", Integer.toString(id)).get(0);
  }

  long counter(int id, int index) throws Exception {
    return stat(id).counter(index);
  }

  void upload(int n, int seed) throws Exception {
    StorageClient client = new StorageClient(null, new StorageServer("127.0.0.1", portA, 0));
    for (int i = 0; i < n; i++) {
      byte[] data = new byte[FILE];
      new Random(seed + i).nextBytes(data);
      assertNotNull(client.upload_file(data, "bin", null));
    }
  }

  @Test
  void syncCountersMoveWithWriteQuorumCopiesAndCatchUp() throws Exception {
    upload(4, 1);
    long quorum = 4L * FILE;
    // write quorum: A streamed each upload to B while taking it
    GroupReplicationTest.waitFor(
        () ->
            counter(B, StorageCounters.SUCCESS_SYNC_IN_BYTES) == quorum
                && counter(A, StorageCounters.SUCCESS_SYNC_OUT_BYTES) == quorum);
    assertEquals(quorum, counter(B, StorageCounters.TOTAL_SYNC_IN_BYTES));
    assertEquals(0, counter(A, StorageCounters.SUCCESS_SYNC_IN_BYTES), "A only sends");
    assertEquals(
        0,
        counter(B, StorageCounters.SUCCESS_SYNC_OUT_BYTES),
        "B already holds what it would send");
    assertTrue(stat(B).lastSyncUpdate() > 0, "B applied replicated writes");

    // B is away while A takes more files; back, it catches up from A's binlog (PEER_DOWNLOAD)
    vertx.undeploy(group.deployB).await();
    group.awaitGone(B);
    upload(5, 100);
    long catchUp = 5L * FILE;
    group.deployB = group.deploy(group.config(B, portB, "b"));
    // B's counters start again with the new process; A's keep counting
    GroupReplicationTest.waitFor(
        () ->
            counter(B, StorageCounters.SUCCESS_SYNC_IN_BYTES) == catchUp
                && counter(A, StorageCounters.SUCCESS_SYNC_OUT_BYTES) == quorum + catchUp
                && stat(B).lastSyncedTimestamp() > 0);
    StorageStat b = stat(B);
    assertTrue(b.lastSyncUpdate() > 0);
    assertTrue(
        Math.abs(System.currentTimeMillis() / 1000 - b.lastSyncedTimestamp()) < 10,
        "synced up to about now");

    // and monitor prints them
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        io.dfstree.cli.Main.execute(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "monitor",
            "--tracker",
            "127.0.0.1:" + trackerPort);
    System.out.println(out);
    assertEquals(0, code, err.toString());
    assertTrue(
        Pattern.compile(
                B + " +127\\.0\\.0\\.1:" + portB + " +ACTIVE .* 1\\.4 +0\\.0 +- +\\d+s ago +0s ")
            .matcher(out.toString())
            .find(),
        out.toString());
    assertTrue(
        Pattern.compile(A + " +127\\.0\\.0\\.1:" + portA + " +ACTIVE .* 0\\.0 +2\\.6 +- ")
            .matcher(out.toString())
            .find(),
        out.toString());
  }
}
