package io.dfstree.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two storages of one group in one JVM (local event bus): uploads reach both before they are
 * acknowledged (W = 2), later changes reach the peer through its binlog, a member that was away
 * catches up, and a member asked for a file it lacks fetches it.
 */
class GroupReplicationTest {
  TwoStorages group;
  Vertx vertx;
  Path dir;
  int portA;
  int portB;
  int httpA;

  JsonObject storage(int id, int port, String path) {
    return group.config(id, port, path);
  }

  /** The group's secret: the raw sockets below act as a member (io.dfstree.PeerHandshake). */
  static final String SECRET = "group-replication-test-secret";

  /**
   * Keeps every event loop of the test's Vert.x busy for {@code d}; the latch opens once all of
   * them are.
   */
  CountDownLatch stallEventLoops(Duration d) {
    var loops = ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup();
    int n = 0;
    for (var ignored : loops) {
      n++;
    }
    CountDownLatch busy = new CountDownLatch(n);
    for (var loop : loops) {
      loop.execute(
          () -> {
            busy.countDown();
            try {
              Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    return busy;
  }

  static java.net.Socket asMember(int port) throws java.io.IOException {
    java.net.Socket s = new java.net.Socket("127.0.0.1", port);
    s.setSoTimeout(10000);
    assertEquals(0, io.dfstree.PeerHandshake.prove(s, SECRET, 999), "member handshake");
    return s;
  }

  @BeforeEach
  void start() throws Exception {
    // A with its HTTP port: a storage gets its front ends from the composition root
    group = TwoStorages.start("repl", true, SECRET, c -> c);
    vertx = group.vertx;
    dir = group.dir;
    portA = group.portA;
    portB = group.portB;
    httpA = group.httpA;
  }

  @AfterEach
  void stop() {
    group.close();
  }

  StorageClient client(int port) throws Exception {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void anHttpUploadOfUnknownSizeIsAlsoOnThePeerWhenAcknowledged() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      byte[] data = bytes(300_000 + i * 77_777, 50 + i);
      // an InputStream body has no length: the JDK client sends it chunked
      java.net.http.HttpResponse<String> r =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + httpA + "/group1/upload?ext=bin"))
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                          () -> new java.io.ByteArrayInputStream(data)))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      String fileId = new JsonObject(r.body()).getString("fileId");
      Path onB = dir.resolve("b").resolve("data").resolve(fileId.substring("group1/M00/".length()));
      assertTrue(Files.exists(onB), "replica on B when the HTTP answer arrives: " + fileId);
      assertArrayEquals(data, Files.readAllBytes(onB));
    }
  }

  @Test
  void anAcknowledgedUploadIsAlreadyOnThePeer() throws Exception {
    for (int i = 0; i < 20; i++) {
      byte[] data = bytes(1000 + i * 5000, i);
      String[] id = client(portA).upload_file(data, "bin", null);
      assertNotNull(id);
      // straight to the file on B's disk: no fetch-on-miss can hide a missing replica
      Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
      assertTrue(Files.exists(onB), "replica on B for " + id[1]);
      assertArrayEquals(data, Files.readAllBytes(onB));
      // the name was chosen from a CRC32 computed while the bytes streamed through: it must be
      // right
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(data);
      assertEquals(crc.getValue(), io.dfstree.fileid.FileName.decode(id[1]).crc32Unsigned());
      assertEquals(data.length, io.dfstree.fileid.FileName.decode(id[1]).fileSize());
    }
  }

  @Test
  void deletesAndMetadataReachThePeerThroughTheBinlog() throws Exception {
    byte[] data = bytes(5000, 7);
    String[] id =
        client(portA)
            .upload_file(
                data,
                "txt",
                new org.csource.common.NameValuePair[] {
                  new org.csource.common.NameValuePair("k", "v")
                });
    Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
    Path metaOnB = onB.resolveSibling(onB.getFileName() + "-m");
    waitFor(() -> Files.exists(metaOnB));
    assertEquals("k\u0002v", Files.readString(metaOnB));
    assertEquals(0, client(portA).delete_file(id[0], id[1]));
    waitFor(() -> !Files.exists(onB) && !Files.exists(metaOnB));
  }

  @Test
  void metadataChangedTwiceInASecondEndsTheSameOnBothMembersAndIsLoggedOnce() throws Exception {
    // every member reads its peer's whole binlog, lower-case lines too: the peer's line for a
    // change it took from us used to be applied here again — fetching the peer's copy, older than
    // our second change, over ours — and logged again, echoed back and forth for ever
    byte[] data = bytes(300_000, 9); // a file of its own (above packed.maxFileSize)
    String[] id = client(portA).upload_file(data, "bin", null);
    org.csource.common.NameValuePair[] first = {new org.csource.common.NameValuePair("v", "1")};
    org.csource.common.NameValuePair[] second = {new org.csource.common.NameValuePair("v", "2")};
    byte overwrite = org.csource.fastdfs.ProtoCommon.STORAGE_SET_METADATA_FLAG_OVERWRITE;
    assertEquals(0, client(portA).set_metadata(id[0], id[1], first, overwrite));
    Path onA = dir.resolve("a").resolve("data").resolve(id[1].substring(4) + "-m");
    Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4) + "-m");
    waitFor(() -> Files.exists(onB) && Files.readString(onB).equals("v\u00021"));
    assertEquals(0, client(portA).set_metadata(id[0], id[1], second, overwrite));
    waitFor(() -> Files.readString(onB).equals("v\u00022"));
    Thread.sleep(1500); // many catch-up rounds each way
    assertEquals("v\u00022", Files.readString(onA));
    assertEquals("v\u00022", Files.readString(onB));
    for (String member : new String[] {"a", "b"}) {
      Path binlog = dir.resolve(member).resolve("data").resolve("sync").resolve("binlog");
      long lines =
          Files.readAllLines(binlog).stream()
              .filter(l -> l.toUpperCase().contains(" S " + id[1].toUpperCase()))
              .count();
      assertEquals(2, lines, "metadata lines on " + member); // A: S S; B: s s
    }
  }

  @Test
  void filesDeletedRightAfterTheirUploadStayDeletedOnBothMembers() throws Exception {
    // each member reads the other's binlog, replicated lines too: without tombstones a delete
    // raced a peer's older "c" line and the file was fetched back, then deleted, again and again
    String[][] ids = new String[60][];
    StorageClient a = client(portA);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = a.upload_file(bytes(2000 + i, 400 + i), "bin", null);
      assertEquals(0, a.delete_file(ids[i][0], ids[i][1]));
    }
    Thread.sleep(2500); // many catch-up rounds (every 100 ms)
    for (String[] id : ids) {
      for (String member : new String[] {"a", "b"}) {
        Path p = dir.resolve(member).resolve("data").resolve(id[1].substring(4));
        assertFalse(Files.exists(p), id[1] + " came back on " + member);
      }
    }
    // and the binlogs settled: a handful of lines per file, not a growing back-and-forth
    for (String member : new String[] {"a", "b"}) {
      Path binlog = dir.resolve(member).resolve("data").resolve("sync").resolve("binlog");
      long lines = Files.readAllLines(binlog).size();
      assertTrue(
          lines <= ids.length * 4L,
          member + " binlog has " + lines + " lines for " + ids.length + " files");
      long size = Files.size(binlog);
      Thread.sleep(1000);
      assertEquals(size, Files.size(binlog), member + " binlog still growing");
    }
  }

  @Test
  void aMemberThatWasAwayCatchesUp() throws Exception {
    vertx.undeploy(group.deployB).await();
    group.awaitGone(TwoStorages.B); // B is no longer an active peer: uploads go on degraded
    String[][] ids = new String[30][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = client(portA).upload_file(bytes(3000 + i, 100 + i), "dat", null);
      assertNotNull(ids[i]);
    }
    group.deploy(storage(TwoStorages.B, portB, "b"));
    for (int i = 0; i < ids.length; i++) {
      Path onB = dir.resolve("b").resolve("data").resolve(ids[i][1].substring(4));
      int k = i;
      waitFor(() -> Files.exists(onB));
      assertArrayEquals(bytes(3000 + k, 100 + k), Files.readAllBytes(onB));
    }
  }

  @Test
  void aMemberAskedForAFileItLacksFetchesItFromThePeer() throws Exception {
    vertx.undeploy(group.deployB).await();
    group.awaitGone(TwoStorages.B);
    byte[] data = bytes(70000, 3);
    String[] id = client(portA).upload_file(data, "jpg", null);
    // B comes back with catch-up slowed right down: only fetch-on-miss can answer at once
    group.restartB(c -> c.put("catchUpIntervalMs", 60000));
    assertArrayEquals(data, client(portB).download_file(id[0], id[1]));
  }

  @Test
  void aRefusedDegradedUploadSkipsItsBodySoTheConnectionServesOn() throws Exception {
    // alone in its group with W = 2 and whenDegraded = refuse: every upload is answered EBUSY
    // before its body is read. The body must then be skipped: read as the next request headers,
    // it broke the connection (or worse, was obeyed as commands).
    int portC = TestPorts.free();
    JsonObject c = storage(100003, portC, "c").put("group", "group2").put("whenDegraded", "refuse");
    vertx
        .deployVerticle("io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(c))
        .await();
    StorageServer server = new StorageServer("127.0.0.1", portC, 0);
    try {
      StorageClient client = new StorageClient(null, server);
      for (int size : new int[] {1_000_000, 20_000, 1}) {
        assertNull(
            client.upload_file("group2", bytes(size, size), "bin", null),
            "refused upload of " + size + " bytes");
        assertEquals(16, client.getErrorCode(), "EBUSY for " + size + " bytes");
      }
      assertTrue(
          org.csource.fastdfs.ProtoCommon.activeTest(server.getSocket()),
          "connection still in step");
      try (var files = Files.walk(dir.resolve("c").resolve("data"))) {
        assertEquals(
            0,
            files
                .filter(Files::isRegularFile)
                .filter(
                    f ->
                        !f.toString().contains("sync")
                            && !f.getFileName().toString().startsWith("."))
                .count(),
            "a refused upload left a file");
      }
    } finally {
      server.close();
    }
  }

  @Test
  void everyUploadAcceptedWithoutItsMissingPeerIsAcknowledgedWithAWarning() throws Exception {
    // with W = 2 and whenDegraded = accept, A stores alone once B is gone, and says so for every
    // upload: B is a member that is missing, not merely late (it was not in the upload at all)
    java.util.List<String> warnings =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> catcher =
        new ch.qos.logback.core.AppenderBase<>() {
          @Override
          protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
            if (e.getLevel() == ch.qos.logback.classic.Level.WARN
                && e.getFormattedMessage().contains("(degraded)")) {
              warnings.add(e.getFormattedMessage());
            }
          }
        };
    catcher.start();
    ch.qos.logback.classic.Logger quorumLog =
        ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory())
            .getLogger("io.dfstree.replication.WriteQuorum");
    quorumLog.addAppender(catcher);
    try {
      vertx.undeploy(group.deployB).await();
      Thread.sleep(300);
      String[][] ids = new String[3][];
      for (int i = 0; i < ids.length; i++) {
        byte[] data = bytes(2000 + i, 50 + i);
        ids[i] = client(portA).upload_file(data, "bin", null);
        assertNotNull(ids[i], "degraded upload accepted");
        assertArrayEquals(
            data,
            Files.readAllBytes(dir.resolve("a").resolve("data").resolve(ids[i][1].substring(4))));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        assertEquals(crc.getValue(), io.dfstree.fileid.FileName.decode(ids[i][1]).crc32Unsigned());
      }
      assertEquals(ids.length, warnings.size(), "one degraded warning per upload: " + warnings);
      for (int i = 0; i < ids.length; i++) {
        assertTrue(warnings.get(i).contains(ids[i][1]), warnings.get(i));
      }

      // a storage alone in its group from the start is not missing anyone: no warning per upload
      warnings.clear();
      int portC = TestPorts.free();
      JsonObject c = storage(100003, portC, "c").put("group", "group2");
      vertx
          .deployVerticle(
              "io.dfstree.storage.StorageVerticle", new DeploymentOptions().setConfig(c))
          .await();
      for (int i = 0; i < 2; i++) {
        assertNotNull(client(portC).upload_file("group2", bytes(100, i), "bin", null));
      }
      assertEquals(List.of(), warnings, "a group of one");
    } finally {
      quorumLog.detachAppender(catcher);
    }
  }

  /**
   * A whole REPLICA_UPLOAD (command 120) as a source storage streams it: header, prefix, content,
   * trailer.
   */
  static byte[] replicaUpload(byte[] data, String remoteName, long mtime) {
    return io.dfstree.protocol.StorageCodec.encode(
            new io.dfstree.protocol.StorageRequest.ReplicaUpload(data.length, 0))
        .appendBytes(data)
        .appendBuffer(
            io.dfstree.protocol.StorageCodec.encodeTrailer(
                new io.dfstree.protocol.StorageRequest.ReplicaTrailer(mtime, remoteName)))
        .getBytes();
  }

  static String replicaName(byte[] data, long now) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(data);
    return io.dfstree.fileid.FileName.logicPath(0, 1, 2)
        + io.dfstree.fileid.FileName.payload(
            100001,
            (int) now,
            io.dfstree.fileid.FileName.sizeField(data.length, false),
            (int) crc.getValue())
        + ".bin";
  }

  @Test
  void aReplicaWhoseSourceHungUpBeforeItWasPlacedIsDropped() throws Exception {
    // a source gives up on a stalled peer (replicaTimeoutMs) and closes the connection; the peer,
    // once it runs again, finds the whole copy and the end of the connection in its socket
    // buffer. The source counted that copy as missing (and with whenDegraded = refuse removed its
    // own): placing it anyway left a file nobody acknowledged, which catch-up could even copy
    // back to the source.
    long now = System.currentTimeMillis() / 1000;
    byte[] abandoned = bytes(50_000, 77);
    String abandonedName = replicaName(abandoned, now);
    try (java.net.Socket s = asMember(portB)) {
      // B is stalled (its event loops busy) while the source writes the whole copy and hangs up,
      // so that B finds the copy and the end of the connection together in its socket buffer
      CountDownLatch stalled = stallEventLoops(Duration.ofMillis(400));
      stalled.await();
      s.getOutputStream()
          .write(
              replicaUpload(
                  abandoned, abandonedName, now)); // then close: FIN right behind the trailer
    }
    // the same copy from a source that waits for the answer is placed
    byte[] kept = bytes(50_000, 78);
    String keptName = replicaName(kept, now);
    try (java.net.Socket s = asMember(portB)) {
      s.setSoTimeout(10000);
      s.getOutputStream().write(replicaUpload(kept, keptName, now));
      byte[] answer = s.getInputStream().readNBytes(10);
      assertEquals(10, answer.length);
      assertEquals(0, answer[9], "status of the replica answer");
    }
    Path keptOnB = dir.resolve("b").resolve("data").resolve(keptName.substring(4));
    assertArrayEquals(kept, Files.readAllBytes(keptOnB));
    Thread.sleep(300);
    assertFalse(
        Files.exists(dir.resolve("b").resolve("data").resolve(abandonedName.substring(4))),
        "a copy its source abandoned was placed");
    waitFor(
        () -> {
          try (var tmp = Files.walk(dir.resolve("b").resolve("data").resolve(".tmp"))) {
            return tmp.noneMatch(Files::isRegularFile); // temp files live in .tmp/HH/
          }
        });
  }

  /** Slots of A (storage 100001), one after the other, as A's own store names them. */
  String[] packedNamesOfA(byte[]... data) throws Exception {
    io.dfstree.storage.packed.PackedOptions po =
        new io.dfstree.storage.packed.PackedOptions(64 * 1024, 1 << 20, false, 1 << 20, 4 << 20);
    Path root = Files.createTempDirectory(dir, "a-names");
    try (io.dfstree.storage.packed.PackedStore a =
        io.dfstree.storage.packed.PackedStore.open(root, 0, Integer.reverseBytes(100001), po)) {
      String[] names = new String[data.length];
      for (int i = 0; i < data.length; i++) {
        names[i] =
            a.append(java.nio.ByteBuffer.wrap(data[i]), "bin")
                .get(20, java.util.concurrent.TimeUnit.SECONDS)
                .remoteName();
      }
      return names;
    }
  }

  @Test
  void aPackedReplicaWhoseSourceHungUpBeforeItWasPlacedIsDropped() throws Exception {
    // as aReplicaWhoseSourceHungUpBeforeItWasPlacedIsDropped, for a small copy with a slot's name:
    // it goes from the socket read straight to B's committer (no disk-pool turn), which asks
    // whether the source hung up as it takes the copy; a hang-up read with the trailer is seen
    long now = System.currentTimeMillis() / 1000;
    byte[] abandoned = bytes(4000, 87);
    byte[] kept = bytes(4000, 88);
    String[] names = packedNamesOfA(abandoned, kept); // two slots of one volume
    String abandonedName = names[0];
    String keptName = names[1];
    try (java.net.Socket s = asMember(portB)) {
      CountDownLatch stalled = stallEventLoops(Duration.ofMillis(400));
      stalled.await();
      s.getOutputStream().write(replicaUpload(abandoned, abandonedName, now));
    }
    try (java.net.Socket s = asMember(portB)) {
      s.setSoTimeout(10000);
      s.getOutputStream().write(replicaUpload(kept, keptName, now));
      byte[] answer = s.getInputStream().readNBytes(10);
      assertEquals(10, answer.length);
      assertEquals(0, answer[9], "status of the replica answer");
    }
    assertArrayEquals(kept, group.slotOn("b", keptName));
    Thread.sleep(300);
    assertNull(group.slotOn("b", abandonedName), "a copy its source abandoned was placed");
  }

  @Test
  void aCopyOfAFileDeletedSinceIsNotPlacedButASlaveUploadedAgainIs() throws Exception {
    // a peer applies a delete before a stale copy of the same file reaches it (a stalled peer
    // that finds a refused upload whole in its socket buffer once it runs again): the copy must
    // not bring the file back, on this member or, through its binlog, on the others
    byte[] data = bytes(40_000, 91);
    String[] id = client(portA).upload_file(data, "bin", null);
    Path onB = dir.resolve("b").resolve("data").resolve(id[1].substring(4));
    assertTrue(Files.exists(onB));
    assertEquals(0, client(portA).delete_file(id[0], id[1]));
    waitFor(() -> !Files.exists(onB));
    long created = io.dfstree.fileid.FileName.decode(id[1]).createTime() & 0xFFFFFFFFL;
    try (java.net.Socket s = asMember(portB)) {
      s.setSoTimeout(10000);
      s.getOutputStream().write(replicaUpload(data, id[1], created));
      byte[] answer = s.getInputStream().readNBytes(10);
      assertEquals(10, answer.length);
      assertEquals(
          2, answer[9], "ENOENT: a source waiting for this copy must not count it as placed");
    }
    Thread.sleep(300);
    assertFalse(Files.exists(onB), "a copy older than the delete brought the file back");
    assertNull(client(portB).download_file(id[0], id[1]), "nor may a download fetch it back");
    assertFalse(Files.exists(dir.resolve("a").resolve("data").resolve(id[1].substring(4))));

    // a slave name is derived, not generated: uploaded again after a delete, it is a new file
    byte[] master = bytes(3000, 92);
    String[] m = client(portA).upload_file(master, "jpg", null);
    byte[] thumb1 = bytes(500, 93);
    String[] slave = client(portA).upload_file(m[0], m[1], "_small", thumb1, "jpg", null);
    assertNotNull(slave);
    Path slaveOnB = dir.resolve("b").resolve("data").resolve(slave[1].substring(4));
    assertTrue(Files.exists(slaveOnB));
    // deleted in a later second than it was created (times have a one-second resolution: a copy
    // from the same second as the delete cannot be told from a new upload and is let through)
    Thread.sleep(1000 - System.currentTimeMillis() % 1000 + 50);
    assertEquals(0, client(portA).delete_file(slave[0], slave[1]));
    waitFor(() -> !Files.exists(slaveOnB));
    byte[] thumb2 = bytes(600, 94);
    String[] again = client(portA).upload_file(m[0], m[1], "_small", thumb2, "jpg", null);
    assertNotNull(again, "slave uploaded again");
    assertEquals(slave[1], again[1]);
    // its copy was placed on the peer before the upload was acknowledged (W = 2), not refused as
    // a stale copy of the deleted one
    assertArrayEquals(
        thumb2,
        Files.readAllBytes(slaveOnB),
        "the slave uploaded again reached the peer before its ack");
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check c) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(c::ok);
  }
}
