package io.dfstree.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Degraded writes with real processes: 1 tracker and one group of 2 storages with write quorum W =
 * 2, short timeouts, driven by the official FastDFS Java client.
 *
 * <p>{@code storage.whenDegraded} is decided by the storage that receives the client's upload, so
 * the two members are configured differently and each scenario uploads to the member whose policy
 * it tests: {@code refusing} (whenDegraded = refuse) and {@code accepting} (whenDegraded = accept).
 * No restarts between scenarios.
 *
 * <ol>
 *   <li>refuse, peer SIGKILLed: EBUSY without keeping a byte, the connection keeps serving, and
 *       uploads succeed again once the peer is back;
 *   <li>accept, peer SIGSTOPped (a stalled peer: its sockets stay open, nothing moves): uploads are
 *       acknowledged within replicaTimeoutMs + a margin, and after SIGCONT the peer catches up onto
 *       its own disk;
 *   <li>refuse, peer SIGSTOPped: uploads fail (EIO or EBUSY) within the same bound and leave no
 *       file on the survivor;
 *   <li>afterwards both members hold exactly the acknowledged files, no more, no less.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DegradedWritesIT {
  static final long REPLICA_TIMEOUT_MS = 3000;
  static final long PEER_TIMEOUT_MS = 2000;

  /**
   * Slack for JVMs on a shared 2-core machine: a hung upload would take the client's 20 s network
   * timeout.
   */
  static final long MARGIN_MS = 3000;

  static final long BOUND_MS = REPLICA_TIMEOUT_MS + MARGIN_MS;
  static final int EIO = 5;
  static final int EBUSY = 16;
  static final String GROUP = "group1";
  static final String DEGRADED_WARNING = "copies (degraded)";

  static LoopbackCluster cluster;
  static LoopbackCluster.Storage refusing;
  static LoopbackCluster.Storage accepting;

  /** Every upload a client saw acknowledged: file id → content. */
  static final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();

  static int seed = 1000;
  static long classStarted;

  @BeforeAll
  static void startCluster() throws Exception {
    classStarted = System.nanoTime();
    cluster =
        new LoopbackCluster(
            "degraded", List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cluster.startTracker(Duration.ofSeconds(60), "heartbeatTimeoutMs=2000");
    String[] common = {
      "subdirCount=16",
      "fsync=false",
      "reservedSpace=1M",
      "heartbeatIntervalMs=400",
      "peerTimeoutMs=" + PEER_TIMEOUT_MS,
      "replicaTimeoutMs=" + REPLICA_TIMEOUT_MS,
      "catchUpIntervalMs=200",
      "writeQuorum=2",
      // the one-file layout: this test follows every replica on disk by its name (packed slots
      // under W=2 and degraded writes: PackedReplicationTest)
      "packed.enabled=false"
    };
    refusing = cluster.storage(701, GROUP, with(common, "whenDegraded=refuse"));
    accepting = cluster.storage(702, GROUP, with(common, "whenDegraded=accept"));
    refusing.start();
    accepting.start();
    refusing.server.awaitStarted(Duration.ofSeconds(60));
    accepting.server.awaitStarted(Duration.ofSeconds(60));
    ClientGlobal.initByTrackers("127.0.0.1:" + cluster.trackerPorts.get(0));
    ClientGlobal.g_network_timeout = 20000;
    ClientGlobal.g_connect_timeout = 3000;
    refusing.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
    accepting.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
    awaitStreamingBetween(refusing, accepting);
    awaitStreamingBetween(accepting, refusing);
    log("cluster up");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close(); // continues suspended processes before stopping them; deletes the data
    }
    log("class done");
  }

  // ---- scenarios -----------------------------------------------------------------------------

  @Test
  @Order(1)
  void refuseAnswersEbusyWhenAloneKeepsNothingAndServesOnUntilThePeerIsBack() throws Exception {
    long t0 = System.nanoTime();
    byte[] first = bytes(30_000);
    String firstId = uploadViaTracker(first).fileId;
    assertNotNull(firstId, "upload with both members up");
    assertOnDisk(refusing, firstId, first);
    assertOnDisk(accepting, firstId, first);
    TreeSet<String> before = refusing.storedFiles();

    accepting.server.kill();
    try (Conn a = new Conn(refusing)) {
      // the survivor learns it is alone within peerTimeoutMs; until then an upload may reach the
      // disk and fail the quorum (EIO, local copy removed). Never may one be acknowledged.
      List<Integer> seen = new ArrayList<>();
      Outcome o = null;
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < end) {
        o = a.upload(bytes(20_000));
        assertNull(o.fileId, "acknowledged although the only peer is dead (W = 2, refuse): " + o);
        seen.add(o.errno);
        if (o.errno == EBUSY) {
          break;
        }
        Thread.sleep(100);
      }
      assertNotNull(o);
      assertEquals(EBUSY, o.errno, "never refused with EBUSY; errnos seen: " + seen);
      assertTrue(seen.stream().allMatch(e -> e == EIO || e == EBUSY), "errnos seen: " + seen);
      log("survivor refuses after " + seen.size() + " attempt(s), errnos " + seen);

      // refused before the body is read: a bigger body is skipped, never parsed as requests, so
      // the same connection answers the next requests correctly
      Outcome big = a.upload(bytes(1_500_000));
      assertNull(big.fileId, big.toString());
      assertEquals(EBUSY, big.errno, big.toString());
      assertArrayEquals(
          first, a.download(firstId), "download on the connection that was just refused");
      Outcome again = a.upload(bytes(10));
      assertEquals(EBUSY, again.errno, again.toString());
    }

    // through the tracker once it has noticed: the official client sees errno 16
    awaitTrue(
        Duration.ofSeconds(10),
        () -> accepting.status(0) != LoopbackCluster.ACTIVE,
        "tracker still lists the killed storage ACTIVE");
    Outcome viaTracker = uploadViaTracker(bytes(5000));
    assertNull(
        viaTracker.fileId, "acknowledged through the tracker although the only peer is dead");
    assertEquals(EBUSY, viaTracker.errno, "errno through the tracker: " + viaTracker);

    // nothing of the refused uploads is visible on the survivor, and no temp file stays behind
    assertEquals(
        before,
        refusing.storedFiles(),
        "files on the survivor changed although every upload was refused");
    awaitNoTempFiles(refusing);

    // the killed member comes back on the same id, port and data; uploads are accepted again
    long restart = System.nanoTime();
    accepting.start().awaitStarted(Duration.ofSeconds(60));
    accepting.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
    log("killed member ACTIVE again " + ms(restart) + " ms after its restart");
    String back = awaitStreamingBetween(refusing, accepting);
    assertNotNull(back);
    byte[] viaTrackerAgain = bytes(12_345);
    String id = uploadViaTracker(viaTrackerAgain).fileId;
    assertNotNull(id, "upload through the tracker with both members back");
    assertOnDisk(refusing, id, viaTrackerAgain);
    assertOnDisk(accepting, id, viaTrackerAgain);
    log("scenario 1 (refuse, SIGKILL) took " + ms(t0) + " ms");
  }

  @Test
  @Order(2)
  void acceptDoesNotHangOnAStalledPeerAndThePeerCatchesUpAfterSigcont() throws Exception {
    long t0 = System.nanoTime();
    awaitStreamingBetween(accepting, refusing);
    long warningsBefore = accepting.server.countOutput(DEGRADED_WARNING);
    Map<String, byte[]> duringStall = new ConcurrentHashMap<>();

    refusing.server.suspend();
    long stopped = System.nanoTime();
    try (Conn survivor = new Conn(accepting)) {
      // right away, while the survivor still counts the stalled peer as active: each upload is
      // streamed to it and must be released by replicaTimeoutMs (a big one stalls mid-body, small
      // ones wait for the peer's answer)
      List<Outcome> parallel = inParallel(accepting, bytes(6 << 20), bytes(200_000), bytes(1));
      // later the peer's heartbeats are overdue: uploads no longer wait for it at all
      List<Outcome> sequential = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sequential.add(survivor.upload(bytes(1000 + 7000 * i)));
      }
      log(
          "stalled peer, accept: parallel uploads took "
              + millis(parallel)
              + " ms, later ones "
              + millis(sequential)
              + " ms");
      for (Outcome o : concat(parallel, sequential)) {
        assertNotNull(o.fileId, "upload refused with whenDegraded = accept: " + o);
        assertTrue(
            o.millis < BOUND_MS,
            "upload took " + o.millis + " ms with a stalled peer (bound " + BOUND_MS + " ms)");
        duringStall.put(o.fileId, o.data);
      }
      long slowest = parallel.stream().mapToLong(o -> o.millis).max().orElse(0);
      assertTrue(
          slowest >= REPLICA_TIMEOUT_MS - 1000,
          "no upload waited for the stalled peer (slowest "
              + slowest
              + " ms): the stall was not exercised");
      for (Outcome o : sequential) {
        assertTrue(
            o.millis < REPLICA_TIMEOUT_MS,
            "upload waited "
                + o.millis
                + " ms for a peer overdue since "
                + ms(stopped)
                + " ms (peerTimeoutMs "
                + PEER_TIMEOUT_MS
                + ")");
      }
      // every acknowledged file is whole on the survivor
      for (Map.Entry<String, byte[]> e : duringStall.entrySet()) {
        assertOnDisk(accepting, e.getKey(), e.getValue());
        assertArrayEquals(
            e.getValue(),
            survivor.download(e.getKey()),
            "download of " + e.getKey() + " from the survivor");
      }
      // one warning per degraded acknowledgement, whether the peer dropped out during the
      // upload or was already known to be gone
      awaitTrue(
          Duration.ofSeconds(3),
          () ->
              accepting.server.countOutput(DEGRADED_WARNING) - warningsBefore >= duringStall.size(),
          "expected "
              + duringStall.size()
              + " degraded warnings\n"
              + grep(accepting.server, "WARN"));
      assertEquals(
          duringStall.size(),
          accepting.server.countOutput(DEGRADED_WARNING) - warningsBefore,
          "one WARN per degraded upload\n" + grep(accepting.server, "WARN"));
    } finally {
      refusing.server.resume();
    }
    long resumed = System.nanoTime();
    log("peer resumed after " + (resumed - stopped) / 1_000_000 + " ms stopped");

    // catch-up places every file on the resumed peer's own disk (not fetched on a download)
    awaitTrue(
        Duration.ofSeconds(30),
        () ->
            duringStall.entrySet().stream()
                .allMatch(e -> sameOnDisk(refusing, e.getKey(), e.getValue())),
        "the resumed peer did not catch up\n"
            + grep(refusing.server, "WARN", "caught up", "ACTIVE"));
    log(
        "resumed peer holds all "
            + duringStall.size()
            + " files on its disk "
            + ms(resumed)
            + " ms after SIGCONT");
    try (Conn peer = new Conn(refusing)) {
      for (Map.Entry<String, byte[]> e : duringStall.entrySet()) {
        assertArrayEquals(
            e.getValue(),
            peer.download(e.getKey()),
            "download of " + e.getKey() + " from the resumed peer");
      }
    }
    // the replica it was receiving when it froze (cut off mid-body) does not stay behind
    awaitNoTempFiles(refusing);
    refusing.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(20));
    log("scenario 2 (accept, SIGSTOP) took " + ms(t0) + " ms");
  }

  @Test
  @Order(3)
  void refuseFailsFastOnAStalledPeerAndKeepsNothing() throws Exception {
    long t0 = System.nanoTime();
    String known = awaitStreamingBetween(refusing, accepting);
    TreeSet<String> before = refusing.storedFiles();

    accepting.server.suspend();
    long stopped = System.nanoTime();
    try (Conn survivor = new Conn(refusing)) {
      List<Outcome> parallel = inParallel(refusing, bytes(4 << 20), bytes(50_000));
      List<Outcome> sequential = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        sequential.add(survivor.upload(bytes(3000)));
      }
      List<Integer> errnos = new ArrayList<>();
      for (Outcome o : concat(parallel, sequential)) {
        errnos.add(o.errno);
      }
      log(
          "stalled peer, refuse: errnos "
              + errnos
              + ", parallel "
              + millis(parallel)
              + " ms, later "
              + millis(sequential)
              + " ms");
      for (Outcome o : concat(parallel, sequential)) {
        assertNull(o.fileId, "acknowledged with the only peer stalled (W = 2, refuse): " + o);
        assertTrue(
            o.errno == EIO || o.errno == EBUSY,
            "errno " + o.errno + ", expected EIO or EBUSY: " + o);
        assertTrue(
            o.millis < BOUND_MS,
            "refusal took " + o.millis + " ms with a stalled peer (bound " + BOUND_MS + " ms)");
      }
      // the first uploads were streamed to the stalled peer and dropped after replicaTimeoutMs
      assertTrue(parallel.stream().anyMatch(o -> o.errno == EIO), "errnos " + errnos);
      // once the peer is overdue, refused up front
      assertEquals(EBUSY, sequential.get(sequential.size() - 1).errno, "errnos " + errnos);

      // the local copies of the failed uploads were removed; nothing half-written is visible
      assertEquals(before, refusing.storedFiles(), "refused uploads left files on the survivor");
      awaitNoTempFiles(refusing);
      assertArrayEquals(
          acknowledged.get(known), survivor.download(known), "the survivor still serves");
    } finally {
      accepting.server.resume();
    }
    log("peer resumed after " + ms(stopped) + " ms stopped");
    // the resumed peer finds in its socket buffers copies whose source has given up on them
    // (small ones whole, trailer included). Whatever it does with them, a refused upload must
    // never appear on the survivor, not even briefly (catch-up from the peer's binlog could carry
    // it back); on the peer it may appear for a moment at most (test 4 checks the end state).
    TreeSet<String> allowed = new TreeSet<>();
    acknowledged.keySet().forEach(id -> allowed.add(remote(id).substring(4)));
    long watchUntil = System.nanoTime() + Duration.ofMillis(2000).toNanos();
    int looks = 0;
    TreeSet<String> briefly = new TreeSet<>();
    while (System.nanoTime() < watchUntil) {
      TreeSet<String> unexpected = refusing.storedFiles();
      unexpected.removeAll(allowed);
      assertTrue(
          unexpected.isEmpty(),
          "refused uploads appeared on the survivor after its peer resumed: "
              + unexpected
              + "\n"
              + grep(refusing.server, "WARN", "gone from", "dropped"));
      TreeSet<String> onPeer = accepting.storedFiles();
      onPeer.removeAll(allowed);
      briefly.addAll(onPeer);
      looks++;
      Thread.sleep(20);
    }
    log(
        "survivor showed no refused upload in "
            + looks
            + " looks over 2 s; on the resumed peer briefly: "
            + briefly);
    accepting.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(20));
    awaitStreamingBetween(refusing, accepting);
    log("scenario 3 (refuse, SIGSTOP) took " + ms(t0) + " ms");
  }

  @Test
  @Order(4)
  void bothMembersHoldExactlyTheAcknowledgedFiles() throws Exception {
    long t0 = System.nanoTime();
    TreeSet<String> expected = new TreeSet<>();
    for (String id : acknowledged.keySet()) {
      expected.add(remote(id).substring(4));
    }
    // a refused upload must not come back through replication (the stalled peer may have
    // received it whole before the source gave up on it), and nothing acknowledged is missing
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  expected.equals(refusing.storedFiles())
                      && expected.equals(accepting.storedFiles()));
    } catch (ConditionTimeoutException e) {
      fail(
          "members differ from the acknowledged uploads after 20 s:\n"
              + difference(refusing, expected)
              + difference(accepting, expected)
              + "--- "
              + refusing.id
              + "\n"
              + grep(refusing.server, "WARN", "gone from", "dropped")
              + "--- "
              + accepting.id
              + "\n"
              + grep(accepting.server, "WARN", "gone from", "dropped"));
    }
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      assertOnDisk(refusing, e.getKey(), e.getValue());
      assertOnDisk(accepting, e.getKey(), e.getValue());
    }
    awaitNoTempFiles(refusing);
    awaitNoTempFiles(accepting);
    log("final check of " + expected.size() + " files took " + ms(t0) + " ms");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** One upload as the client saw it. */
  record Outcome(String fileId, int errno, long millis, byte[] data) {
    @Override
    public String toString() {
      return (fileId == null ? "errno " + errno : fileId)
          + " after "
          + millis
          + " ms ("
          + data.length
          + " bytes)";
    }
  }

  /** The official client on one connection straight to a storage (kept across requests). */
  static final class Conn implements AutoCloseable {
    final StorageServer server;
    final StorageClient client;

    Conn(LoopbackCluster.Storage s) throws IOException {
      server = new StorageServer("127.0.0.1", s.port, 0);
      client = new StorageClient(null, server);
    }

    Outcome upload(byte[] data) throws Exception {
      long t0 = System.nanoTime();
      String[] id = client.upload_file(GROUP, data, "bin", null);
      Outcome o =
          new Outcome(id == null ? null : id[0] + "/" + id[1], client.getErrorCode(), ms(t0), data);
      if (o.fileId != null) {
        acknowledged.put(o.fileId, data);
      }
      return o;
    }

    byte[] download(String fileId) throws Exception {
      return client.download_file(GROUP, remote(fileId));
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** Uploads each of {@code files} on its own connection to {@code s}, all at once. */
  static List<Outcome> inParallel(LoopbackCluster.Storage s, byte[]... files) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(files.length);
    try {
      List<Future<Outcome>> running = new ArrayList<>();
      for (byte[] f : files) {
        running.add(
            pool.submit(
                () -> {
                  try (Conn c = new Conn(s)) {
                    return c.upload(f);
                  }
                }));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> r : running) {
        out.add(r.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Upload through the tracker's choice of storage, on a tracker connection of its own. */
  static Outcome uploadViaTracker(byte[] data) throws Exception {
    TrackerServer ts = new TrackerClient().getConnection();
    assertNotNull(ts, "no tracker connection");
    try {
      StorageClient c = new StorageClient(ts, null);
      long t0 = System.nanoTime();
      String[] id = c.upload_file(data, "bin", null);
      Outcome o =
          new Outcome(id == null ? null : id[0] + "/" + id[1], c.getErrorCode(), ms(t0), data);
      if (o.fileId != null) {
        acknowledged.put(o.fileId, data);
      }
      return o;
    } finally {
      ts.close();
    }
  }

  /**
   * Waits until an upload to {@code source} is acknowledged with its copy already on {@code peer}'s
   * disk: the source counts the peer in its write quorum again. Returns that file's id.
   */
  static String awaitStreamingBetween(LoopbackCluster.Storage source, LoopbackCluster.Storage peer)
      throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<String> tries = new ArrayList<>();
    try (Conn c = new Conn(source)) {
      while (System.nanoTime() < end) {
        Outcome o = c.upload(bytes(2000));
        tries.add(o.toString());
        if (o.fileId != null && sameOnDisk(peer, o.fileId, o.data)) {
          return o.fileId;
        }
        Thread.sleep(200);
      }
    }
    fail(
        "uploads to "
            + source.id
            + " never reached "
            + peer.id
            + " synchronously: "
            + tries
            + "\n"
            + source.server.output());
    return null;
  }

  static boolean sameOnDisk(LoopbackCluster.Storage s, String fileId, byte[] data) {
    Path p = s.file(remote(fileId));
    try {
      return Files.isRegularFile(p) && java.util.Arrays.equals(data, Files.readAllBytes(p));
    } catch (IOException e) {
      return false;
    }
  }

  static void assertOnDisk(LoopbackCluster.Storage s, String fileId, byte[] data)
      throws IOException {
    Path p = s.file(remote(fileId));
    assertTrue(Files.isRegularFile(p), fileId + " missing on the disk of " + s.id);
    assertArrayEquals(
        data, Files.readAllBytes(p), "bytes of " + fileId + " on the disk of " + s.id);
  }

  /** Temp files are deleted off the event loop, so give them a moment. */
  static void awaitNoTempFiles(LoopbackCluster.Storage s) throws InterruptedException {
    awaitTrue(Duration.ofSeconds(5), () -> s.tempFiles().isEmpty(), "temp files left on " + s.id);
  }

  static void awaitTrue(Duration bound, BooleanSupplier ok, String message)
      throws InterruptedException {
    try {
      await().atMost(bound).pollInterval(Duration.ofMillis(100)).until(ok::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      fail(message + " (waited " + bound.toMillis() + " ms)");
    }
  }

  static String difference(LoopbackCluster.Storage s, TreeSet<String> expected) {
    TreeSet<String> extra = s.storedFiles();
    extra.removeAll(expected);
    TreeSet<String> missing = new TreeSet<>(expected);
    missing.removeAll(s.storedFiles());
    return s.id + ": not acknowledged " + extra + ", missing " + missing + "\n";
  }

  static String remote(String fileId) {
    return fileId.substring(fileId.indexOf('/') + 1);
  }

  static synchronized byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(seed++).nextBytes(b);
    return b;
  }

  static String[] with(String[] a, String extra) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = extra;
    return out;
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  static List<Long> millis(List<Outcome> os) {
    return os.stream().map(Outcome::millis).toList();
  }

  static String grep(Jar.Server s, String... words) {
    StringBuilder out = new StringBuilder();
    for (String line : s.stdout().split("\n")) {
      for (String w : words) {
        if (line.contains(w)) {
          out.append(line).append('\n');
          break;
        }
      }
    }
    return out.toString();
  }

  static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  static void log(String what) {
    System.out.printf("DegradedWritesIT: %s (%d ms since start)%n", what, ms(classStarted));
  }
}
