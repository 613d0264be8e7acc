package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.RawClient;
import io.dfstree.TestPorts;
import io.dfstree.api.Addresses;
import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A large upload's body goes from the network buffers to the file and to the peer without a copy
 * ({@link OwnedWrites}, benchmark/PROFILE.md rx1m): two members of a group (W = 2, fsync, packed
 * volumes on, as the defaults), the official protocol over real sockets. Both members write the
 * file's bytes from direct memory — the source from its client's reads, the peer from the source's
 * copy — and the bytes are the client's. Every owned reference is released exactly once: Netty's
 * leak detector (paranoid: every buffer tracked) reports nothing after uploads, a small upload into
 * a packed volume, an appender's append, and a client that hangs up mid-body.
 */
class ZeroCopyUploadTest {
  static final int A = 100001;
  static final int B = 100002;

  static NettyLeakWatch leaks;

  Vertx vertx;
  Path dir;
  StorageVerticle a;
  StorageVerticle b;
  int portA;
  final Map<Integer, Integer> beats = new ConcurrentHashMap<>();

  @BeforeAll
  static void trackEveryBuffer() {
    leaks = NettyLeakWatch.start(false);
  }

  @AfterAll
  static void restore() {
    leaks.close();
  }

  JsonObject config(int id, int port, String path) {
    return Config.defaults()
        .getJsonObject("storage")
        .copy()
        .put("id", id)
        .put("port", port)
        .put("storePaths", new JsonArray().add(dir.resolve(path).toString()))
        .put("subdirCount", 4)
        .put("reservedSpace", "1M")
        .put("fsync", true)
        .put("heartbeatIntervalMs", 200)
        .put("catchUpIntervalMs", 100)
        .put("writeQuorum", 2)
        .put("peerTimeoutMs", 1500);
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("zerocopy");
    vertx = Launcher.createVertx(new JsonObject(), false).await();
    leaks.paranoidAgain(); // Vert.x turned it off as its classes loaded
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.HEARTBEAT, m -> beats.merge(m.body().getInteger("storageId"), 1, Integer::sum));
    portA = TestPorts.free();
    a = new StorageVerticle();
    b = new StorageVerticle();
    vertx.deployVerticle(a, new DeploymentOptions().setConfig(config(A, portA, "a"))).await();
    vertx
        .deployVerticle(b, new DeploymentOptions().setConfig(config(B, TestPorts.free(), "b")))
        .await();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> beats.getOrDefault(A, 0) >= 2 && beats.getOrDefault(B, 0) >= 2);
  }

  @AfterEach
  void stop() {
    try {
      vertx.close().await();
    } finally {
      io.dfstree.TempTrees.delete(dir);
    }
  }

  /** Uploads {@code data} to A (retried while A does not count B as alive yet). */
  String upload(byte[] data) throws Exception {
    String[] name = {null};
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              name[0] = RawClient.uploadNew(portA, 11, "bin", data);
              return true;
            });
    return name[0];
  }

  Path onDisk(String member, String remoteName) {
    return dir.resolve(member).resolve("data").resolve(remoteName.substring(4));
  }

  /** Makes Netty look at what the collector found: a leak is reported at a later allocation. */
  static void collectAndTrack() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 100; j++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        probe.release();
      }
    }
  }

  @Test
  void aLargeUploadIsWrittenFromTheNetworkBuffersOnBothMembers() throws Exception {
    byte[] data = RawClient.bytes(1024 * 1024 + 12345, 7);
    String name = upload(data);
    assertArrayEquals(data, Files.readAllBytes(onDisk("a", name)));
    assertArrayEquals(data, Files.readAllBytes(onDisk("b", name)), "the peer's copy");
    // copied instead: the first read (it carries the header and the request's fields), and a
    // read that comes while the decoder holds bytes or fills a quarter of its buffer at most —
    // how many depends on timing, so "most": before rx1m every byte was copied (0 here)
    long most = data.length * 3L / 4;
    long direct = a.node().files.forces().writtenDirect.sum();
    long directB = b.node().files.forces().writtenDirect.sum();
    assertTrue(direct >= most, "source: " + direct + " of " + data.length + " bytes direct");
    assertTrue(directB >= most, "peer: " + directB + " of " + data.length + " bytes direct");
  }

  @Test
  void everyOwnedBufferIsReleasedOnceWhateverTheUploadBecomes() throws Exception {
    // large, several times (back-pressure: the socket pauses while the disk and the peer lag)
    for (int i = 0; i < 4; i++) {
      byte[] data = RawClient.bytes(3 * 1024 * 1024 + i, i);
      String name = upload(data);
      assertArrayEquals(data, Files.readAllBytes(onDisk("b", name)));
    }
    // small: a packed volume's slot, copied to heap as before
    byte[] small = RawClient.bytes(4096, 99);
    String packed = upload(small);
    assertEquals(small.length, io.dfstree.fileid.FileName.decode(packed).fileSize());
    // an appender file and an append (the append's body goes to the file's stream, owned)
    String app = RawClient.uploadNew(portA, 23, "log", RawClient.bytes(100_000, 3));
    byte[] more = RawClient.bytes(500_000, 4);
    try (RawClient r = RawClient.open(portA)) {
      r.send(RawClient.append(app, more));
      r.expect(0);
    }
    byte[] whole = RawClient.cat(RawClient.bytes(100_000, 3), more);
    assertArrayEquals(whole, Files.readAllBytes(onDisk("a", app)));
    // a client that hangs up with half its body sent
    for (int i = 0; i < 3; i++) {
      byte[] req = RawClient.upload(false, -1, "bin", RawClient.bytes(2 * 1024 * 1024, 10 + i));
      try (RawClient r = RawClient.open(portA)) {
        r.send(Arrays.copyOf(req, req.length / 2));
      }
    }
    // the members serve on
    byte[] after = RawClient.bytes(1024 * 1024, 20);
    assertArrayEquals(after, Files.readAllBytes(onDisk("b", upload(after))));
    assertTrue(a.node().files.forces().writtenDirect.sum() > 0);
    collectAndTrack();
    assertEquals(List.of(), leaks.found(), "Netty's leak detector");
  }
}
