package io.dfstree.badinput;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What one client may hold on the storage and tracker ports (storage.limits, tracker.limits): a
 * trickle inside a request is closed, an idle connection is closed, the connection cap answers
 * EBUSY, and a stalled upload's bytes go to disk rather than staying in heap.
 */
class ClientLimitsTest {
  static Servers servers;
  static final int CAP = 6;
  static final String SECRET = "client-limits-test-secret";

  static JsonObject limits() {
    return new JsonObject()
        .put("maxConnections", CAP)
        .put("idleTimeoutMs", 2000)
        .put("rateWindowMs", 300)
        .put("minBytesPerWindow", 100)
        .put("logIntervalMs", 10000);
  }

  @BeforeAll
  static void start() throws Exception {
    servers =
        Servers.startWith(
            c -> {
              c.getJsonObject("storage").put("limits", limits());
              c.getJsonObject("tracker").put("limits", limits());
              c.getJsonObject("cluster").put("secret", SECRET);
            });
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  static byte[] uploadHeader(long size) {
    return RawClient.wire(new StorageRequest.Upload(false, 0, size, "bin"));
  }

  /** Sends one byte every 100 ms until the server closes; returns how long that took. */
  static long trickleUntilClosed(RawClient r, int maxBytes) throws Exception {
    long start = System.currentTimeMillis();
    for (int i = 0; i < maxBytes; i++) {
      try {
        r.send(new byte[] {'x'});
      } catch (java.io.IOException closed) {
        return System.currentTimeMillis() - start;
      }
      Thread.sleep(100);
    }
    r.expectClosed();
    return System.currentTimeMillis() - start;
  }

  @Test
  void aStorageUploadTrickledAtTenBytesPerSecondIsClosed() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(uploadHeader(1000));
      long took = trickleUntilClosed(r, 60);
      assertTrue(took < 3000, "closed after " + took + " ms");
    }
    assertEquals(List.of(), servers.awaitTmpEmpty(3000), "the partial upload is removed");
  }

  @Test
  void aTrackerRequestTrickledIsClosed() throws Exception {
    try (RawClient r = RawClient.open(servers.trackerPort)) {
      r.send(RawClient.header(1000, 104, 0));
      long took = trickleUntilClosed(r, 60);
      assertTrue(took < 3000, "closed after " + took + " ms");
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    for (int port : new int[] {servers.storagePort, servers.trackerPort}) {
      try (RawClient r = RawClient.open(port)) {
        r.activeTest();
        long start = System.currentTimeMillis();
        r.expectClosed();
        long took = System.currentTimeMillis() - start;
        assertTrue(took >= 1500 && took < 4000, "closed after " + took + " ms");
      }
    }
  }

  @Test
  void theConnectionOverTheCapIsAnsweredEbusyAndTheNextOneAfterALeaveIsServed() throws Exception {
    for (int port : new int[] {servers.storagePort, servers.trackerPort}) {
      List<RawClient> held = new ArrayList<>();
      try {
        // the tracker holds one idle connection to the storage port to notice its death at once
        // (tracker.MemberWatch): it counts against the storage's cap like any client
        fillToTheCap(port, port == servers.storagePort ? CAP - 1 : CAP, held);
        try (RawClient over = RawClient.open(port)) {
          over.send(RawClient.activeTestBytes());
          over.expect(16); // EBUSY
          over.expectClosed();
        }
        held.remove(0).close();
        Thread.sleep(200);
        RawClient.activeTest(port);
      } finally {
        for (RawClient r : held) {
          r.close();
        }
      }
      Thread.sleep(300);
    }
  }

  /**
   * Opens {@code count} served connections. Connections of the tests before may still be counted
   * for a moment (the server notices their close on its own event loop), so a fill that meets EBUSY
   * lets go of what it holds and starts again, for a bounded time.
   */
  static void fillToTheCap(int port, int count, List<RawClient> held) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      try {
        for (int i = 0; i < count; i++) {
          RawClient r = RawClient.open(port);
          held.add(r);
          r.activeTest();
        }
        return;
      } catch (AssertionError busy) {
        for (RawClient r : held) {
          r.close();
        }
        held.clear();
        if (System.currentTimeMillis() > deadline) {
          throw busy;
        }
        Thread.sleep(300);
      }
    }
  }

  @Test
  void aStalledUploadIsWrittenToDiskNotKeptInHeap() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(uploadHeader(1 << 20));
      r.send(new byte[100_000]); // below the 256 KiB write batch: before, it stayed queued in heap
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () ->
                  assertEquals(
                      100_000,
                      tmpBytes(servers.tmp),
                      "bytes of the stalled upload in its temp file"));
    }
    assertEquals(List.of(), servers.awaitTmpEmpty(3000));
  }

  @Test
  void aSourceThatVanishesMidReplicaLeavesNoTempFileBehind() throws Exception {
    // a peer streaming a copy stops sending without closing (its host went away: no FIN ever
    // comes); before, its partial temp file stayed until this storage restarted
    try (RawClient r = RawClient.open(servers.storagePort)) {
      assertEquals(0, io.dfstree.PeerHandshake.prove(r.socket, SECRET, 5));
      int size = 1 << 20;
      r.send(new StorageRequest.ReplicaUpload(size, 0));
      r.send(new byte[100_000]);
      long deadline = System.currentTimeMillis() + 2000;
      while (System.currentTimeMillis() < deadline && tmpBytes(servers.tmp) < 100_000) {
        Thread.sleep(50);
      }
      assertEquals(
          100_000, tmpBytes(servers.tmp), "the partial copy is on disk while the source is there");
      r.expectClosed();
    }
    assertEquals(List.of(), servers.awaitTmpEmpty(3000), "and removed once the source is given up");
  }

  static long tmpBytes(Path tmp) throws Exception {
    try (Stream<Path> s = Files.walk(tmp)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
