package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.client.FakeFdfsServer;
import io.dfstree.client.InMemoryFastDfs;
import io.dfstree.client.StorageAddress;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * Bench sizes, content verification, a bench run against the in-memory fake, and monitor output.
 */
class BenchAndMonitorTest {

  @Test
  void sizesAcceptPlainNumbersAndBinarySuffixes() {
    assertEquals(4096, new ByteSizeConverter().convert("4K"));
    assertEquals(4096, new ByteSizeConverter().convert("4KiB"));
    assertEquals(1 << 20, new ByteSizeConverter().convert("1M"));
    assertEquals(1048576, new ByteSizeConverter().convert("1048576"));
    assertEquals(1L << 30, new ByteSizeConverter().convert("1gb"));
    assertThrows(TypeConversionException.class, () -> new ByteSizeConverter().convert("lots"));
    assertThrows(TypeConversionException.class, () -> new ByteSizeConverter().convert("-1K"));
  }

  @Test
  void contentIsDeterministicAndChunkingDoesNotMatter() throws Exception {
    BenchContent c = new BenchContent(1, 5, 1000);
    byte[] whole = c.stream().readAllBytes();
    assertEquals(1000, whole.length);
    byte[] pieces = new byte[1000];
    c.fill(pieces, 0, 3, 0);
    c.fill(pieces, 3, 997, 3);
    assertArrayEquals(whole, pieces);
    assertNotEquals(
        Arrays.toString(whole),
        Arrays.toString(new BenchContent(1, 6, 1000).stream().readAllBytes()));
  }

  @Test
  void verifierFindsTheFirstWrongByteAndWrongLengths() throws Exception {
    BenchContent c = new BenchContent(9, 0, 100);
    byte[] good = c.stream().readAllBytes();
    BenchContent.Verifier ok = c.verifier();
    ok.write(good, 0, 50);
    ok.write(good, 50, 50);
    assertNull(ok.problem());

    byte[] bad = good.clone();
    bad[70] ^= 1;
    BenchContent.Verifier wrong = c.verifier();
    wrong.write(bad, 0, 100);
    assertEquals("content differs at byte 70", wrong.problem());

    BenchContent.Verifier shortOne = c.verifier();
    shortOne.write(good, 0, 99);
    assertEquals("got 99 bytes, expected 100", shortOne.problem());
  }

  @Test
  void percentileIsNearestRank() {
    Histogram values = new Histogram(PhaseResult.LATENCY_DIGITS);
    for (long v = 100; v >= 1; v--) {
      values.recordValue(v); // any order: the histogram sorts
    }
    assertEquals(50, PhaseResult.percentile(values, 50));
    assertEquals(99, PhaseResult.percentile(values, 99));
    assertEquals(0, PhaseResult.percentile(new Histogram(PhaseResult.LATENCY_DIGITS), 50));
  }

  @Test
  void percentilesOfNanosecondLatenciesKeepThreeSignificantDigits() {
    Histogram values = new Histogram(PhaseResult.LATENCY_DIGITS);
    for (int i = 1; i <= 1000; i++) {
      values.recordValue(i * 1_000_000L); // 1 ms .. 1 s
    }
    PhaseResult r =
        new PhaseResult("upload", 1000, 0, 1.0, 1, values, null);
    assertEquals(500.0, r.percentileMillis(50), 0.5);
    assertEquals(990.0, r.percentileMillis(99), 1.0);
  }

  @Test
  void benchRunsAllPhasesAndCleansUp() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    try (FakeFdfsServer server = FakeFdfsServer.start(cluster)) {
      CliRun run =
          CliRun.of(
              "bench",
              "-n",
              "40",
              "-s",
              "70K",
              "-c",
              "4",
              "--tracker",
              "127.0.0.1:" + server.port(),
              "--server-pid",
              Long.toString(ProcessHandle.current().pid()));
      assertEquals(0, run.exitCode(), run.out() + run.err());
      assertTrue(run.out().contains("srv us/op"), run.out());
      // the server here is this JVM: each phase's row ends with its CPU per operation
      assertTrue(run.out().matches("(?s).*upload\\s+40\\s+0\\s.*\\s\\d+\\R.*"), run.out());
      assertTrue(run.out().matches("(?s).*download\\s+40\\s+0\\s.*"), run.out());
      assertTrue(run.out().matches("(?s).*delete\\s+40\\s+0\\s.*"), run.out());
      assertTrue(cluster.files.isEmpty(), "bench deletes what it uploaded");
      long uploads = server.requests().stream().filter(r -> r.command() == 11).count();
      assertEquals(40, uploads);
      // 4 workers keep one tracker and one storage connection each (plus the probe): no reconnect
      // per op
      assertTrue(server.connections() <= 9, "connections: " + server.connections());
    }
  }

  @Test
  void benchCountsCorruptedDownloadsAsErrors() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    FakeFdfsServer.Responder corrupting =
        (r, port) -> {
          byte[] answer = cluster.respond(r, port);
          if (r.command() == 14 && answer.length > 20) {
            answer[20] ^= 0x55; // flip a content byte
          }
          return answer;
        };
    try (FakeFdfsServer server = FakeFdfsServer.start(corrupting)) {
      CliRun run =
          CliRun.of(
              "bench",
              "-n",
              "5",
              "-s",
              "1K",
              "-c",
              "2",
              "--json",
              "--tracker",
              "127.0.0.1:" + server.port());
      assertEquals(1, run.exitCode(), run.out());
      assertTrue(
          run.out()
              .matches(
                  "(?s).*\"operation\" : \"download\",\\s+\"count\" : 0,\\s+\"errors\" : 5,.*"),
          run.out());
      assertTrue(run.out().contains("content differs at byte 10"), run.out());
    }
  }

  // --- --warmup and --replication ---------------------------------------------------------

  static List<String> twoMembers(int file) {
    return List.of("a:1", "b:2");
  }

  @Test
  void ledgerPollsTheNewestMissingFilePerMemberAndCountsFilesDoneEverywhere() {
    // acknowledged in the order 2, 0, 1: file 1 is the newest
    ReplicationCheck.Ledger ledger =
        new ReplicationCheck.Ledger(new int[] {2, 0, 1}, BenchAndMonitorTest::twoMembers);
    assertEquals(
        List.of(new ReplicationCheck.Pair(1, "a:1"), new ReplicationCheck.Pair(1, "b:2")),
        ledger.sentinels());
    assertEquals(6, ledger.pending().size());
    assertEquals(0, ledger.filesConfirmed());
    assertEquals(3, ledger.filesUnconfirmed());

    assertTrue(ledger.confirm(new ReplicationCheck.Pair(1, "a:1"), 100));
    assertFalse(ledger.confirm(new ReplicationCheck.Pair(1, "a:1"), 500), "a pair counts once");
    assertEquals(0, ledger.filesConfirmed(), "file 1 is not on b yet");
    // a's next sentinel is the newest file it still lacks: 0, acknowledged after 2
    assertEquals(
        List.of(new ReplicationCheck.Pair(0, "a:1"), new ReplicationCheck.Pair(1, "b:2")),
        ledger.sentinels());

    assertTrue(ledger.confirm(new ReplicationCheck.Pair(1, "b:2"), 300));
    assertEquals(1, ledger.filesConfirmed());
    for (ReplicationCheck.Pair p : ledger.pending()) {
      ledger.confirm(p, 200);
    }
    assertTrue(ledger.complete());
    assertEquals(3, ledger.filesConfirmed());
    assertEquals(0, ledger.filesUnconfirmed());
    assertEquals(List.of(), ledger.sentinels());
    assertEquals(300, ledger.lastConfirmedNanos(-1), "the latest confirmation, not the last call");
  }

  @Test
  void ledgerWithoutConfirmationsFallsBackAndUnknownPairsAreIgnored() {
    ReplicationCheck.Ledger ledger =
        new ReplicationCheck.Ledger(new int[] {0}, f -> List.of("a:1"));
    assertEquals(42, ledger.lastConfirmedNanos(42));
    assertFalse(ledger.confirm(new ReplicationCheck.Pair(0, "c:3"), 1));
    assertFalse(ledger.confirm(new ReplicationCheck.Pair(7, "a:1"), 1));
    assertFalse(ledger.complete());
  }

  @Test
  void replicatedPhaseIsTimedFromTheStartOfTheUploadPhase() {
    PhaseResult upload =
        new PhaseResult(
            "upload", 100, 0, 2.0, 1 << 20, latencies(1_000_000, 2_000_000), null);
    long uploadEnd = 5_000_000_000L;
    ReplicationCheck.Outcome done =
        new ReplicationCheck.Outcome(100, 0, uploadEnd + 500_000_000L, null);
    PhaseResult r =
        ReplicationCheck.phase(upload, uploadEnd, done, uploadEnd + 900_000_000L);
    assertEquals("replicated", r.operation());
    assertEquals(100, r.count());
    assertEquals(0, r.errors());
    assertEquals(
        2.5,
        r.seconds(),
        1e-9,
        "upload seconds + time to the last confirmation, not to the end of the check");
    assertEquals(40.0, r.opsPerSecond(), 1e-9);
    assertEquals(40.0, r.mibPerSecond(), 1e-9);
    assertFalse(r.hasLatencies());
    assertEquals(0, r.percentileMillis(99));

    ReplicationCheck.Outcome late =
        new ReplicationCheck.Outcome(97, 3, uploadEnd + 500_000_000L, "3 of 100 files ...");
    PhaseResult failed =
        ReplicationCheck.phase(upload, uploadEnd, late, uploadEnd + 4_000_000_000L);
    assertEquals(97, failed.count());
    assertEquals(3, failed.errors());
    assertEquals(6.0, failed.seconds(), 1e-9, "not replicated: timed to when the check gave up");
    assertEquals(2.0, ReplicationCheck.phaseSeconds(2.0, uploadEnd, uploadEnd - 5), 1e-9);
  }

  @Test
  void membersAreEveryListedStorageExceptOfflineAndDeleted() throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int[][] statusAndPort = {
      {7, 23001}, {2, 23002}, {1, 23003}, {5, 23004}, {4, 23005}, {0, 23006}
    };
    for (int[] sp : statusAndPort) {
      body.writeBytes(storageRecord(0, sp[0], sp[1]));
    }
    List<StorageAddress> members =
        ReplicationCheck.members(
            io.dfstree.protocol.TrackerCodec.decodeStorageStats(
                    io.vertx.core.buffer.Buffer.buffer(body.toByteArray()))
                .storages(),
            "group1");
    assertEquals(
        List.of("127.0.0.1:23001", "127.0.0.1:23002", "127.0.0.1:23003", "127.0.0.1:23006"),
        members.stream().map(StorageAddress::hostPort).toList());
    assertEquals("group1", members.get(0).group());
  }

  /** The in-memory fake as a one-member group: it also answers list-storages (92) with itself. */
  static FakeFdfsServer.Responder withMemberList(FakeFdfsServer.Responder inner) {
    return (r, port) ->
        r.command() == 92 ? FakeFdfsServer.ok(storageRecord(0, 7, port)) : inner.respond(r, port);
  }

  @Test
  void benchWithWarmupAndReplicationReportsAReplicatedPhase() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    try (FakeFdfsServer server = FakeFdfsServer.start(withMemberList(cluster))) {
      CliRun run =
          CliRun.of(
              "bench",
              "-n",
              "30",
              "-s",
              "10K",
              "-c",
              "3",
              "--warmup",
              "12",
              "--replication",
              "--tracker",
              "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.out() + run.err());
      assertTrue(run.out().contains("warm-up: 12 files"), run.out());
      assertTrue(run.out().matches("(?s).*upload\\s+30\\s+0\\s.*"), run.out());
      assertTrue(
          run.out().matches("(?s).*replicated\\s+30\\s+0\\s+[0-9.]+\\s+[0-9.]+\\s+-\\s+-\\n.*"),
          run.out());
      assertTrue(
          run.out().matches("(?s).*upload.*replicated.*download.*delete.*"),
          "phase order: " + run.out());
      assertTrue(cluster.files.isEmpty(), "warm-up and measured files are deleted");
      assertEquals(42, server.requests().stream().filter(r -> r.command() == 11).count());
      // each file asked once on the single member, the warm-up's three times (there, gone, still
      // gone);
      // never downloaded
      assertEquals(30 + 3 * 12, server.requests().stream().filter(r -> r.command() == 22).count());
      assertTrue(
          run.out().matches("(?s).*warm-up: 12 files\\noperation.*"), "no warning: " + run.out());
      assertEquals(30, server.requests().stream().filter(r -> r.command() == 14).count());
      assertEquals(42, server.requests().stream().filter(r -> r.command() == 12).count());
    }
  }

  @Test
  void filesThatNeverReachAMemberFailTheReplicatedPhaseWithinMaxSeconds() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    FakeFdfsServer.Responder neverThere =
        (r, port) -> r.command() == 22 ? FakeFdfsServer.error(2) : cluster.respond(r, port);
    try (FakeFdfsServer server = FakeFdfsServer.start(withMemberList(neverThere))) {
      long t0 = System.nanoTime();
      CliRun run =
          CliRun.of(
              "bench",
              "-n",
              "8",
              "-s",
              "1K",
              "-c",
              "2",
              "--replication",
              "--max-seconds",
              "1",
              "--json",
              "--tracker",
              "127.0.0.1:" + server.port());
      assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "bounded by --max-seconds");
      assertEquals(1, run.exitCode(), run.out() + run.err());
      assertTrue(
          run.out()
              .matches(
                  "(?s).*\"operation\" : \"replicated\",\\s+\"count\" : 0,\\s+\"errors\" : 8,.*"),
          run.out());
      assertTrue(run.out().contains("\"p50Ms\" : null"), run.out());
      assertTrue(run.out().contains("8 of 8 files not on every member in time"), run.out());
      assertTrue(run.out().contains("\"warmup\" : 0"), run.out());
      assertTrue(cluster.files.isEmpty(), "the delete phase still runs");
    }
  }

  static byte[] groupRecord() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] name = new byte[17];
    System.arraycopy("group1".getBytes(), 0, name, 0, 6);
    b.writeBytes(name);
    long[] fields = {1000, 400, 0, 0, 1, 23000, 1, 1, 0, 1, 256, -1};
    for (long f : fields) {
      b.writeBytes(java.nio.ByteBuffer.allocate(8).putLong(f).array());
    }
    return b.toByteArray();
  }

  static byte[] storageRecord(long heartbeat) {
    return storageRecord(heartbeat, 7, 23000);
  }

  static byte[] storageRecord(long heartbeat, int status, int port) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(487);
    b.put((byte) status).put((byte) 6);
    b.put(Arrays.copyOf("100001".getBytes(), 16)).put(Arrays.copyOf("127.0.0.1".getBytes(), 16));
    b.put(new byte[16]).put(Arrays.copyOf("6.16.1".getBytes(), 8));
    long[] fields = {0, 0, 1000, 400, 0, 0, 1, 256, 0, port};
    for (long f : fields) {
      b.putLong(f);
    }
    b.putInt(0).putInt(0).putInt(0);
    for (int i = 0; i < 38; i++) {
      b.putLong(i == 0 ? 12 : i == 1 ? 11 : i == 12 ? 30 : i == 13 ? 29 : 0);
    }
    b.putLong(0).putLong(0).putLong(0).putLong(heartbeat).put((byte) 0);
    return b.array();
  }

  @Test
  void monitorShowsGroupsAndStorages() throws Exception {
    long heartbeat = java.time.Instant.now().getEpochSecond() - 3;
    FakeFdfsServer.Responder tracker =
        (r, port) ->
            switch (r.command()) {
              case 91 -> FakeFdfsServer.ok(groupRecord());
              case 92 -> FakeFdfsServer.ok(storageRecord(heartbeat));
              default -> FakeFdfsServer.error(22);
            };
    try (FakeFdfsServer server = FakeFdfsServer.start(tracker)) {
      CliRun run = CliRun.of("monitor", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.err());
      assertTrue(
          run.out()
              .contains(
                  "group group1: free 400 / total 1000 MB, 1 storage(s), 1 active, port 23000"),
          run.out());
      assertTrue(
          run.out()
              .matches(
                  "(?s).*100001\\s+127\\.0\\.0\\.1:23000\\s+ACTIVE\\s+400\\s+1000\\s+11/12\\s+29/30.*"),
          run.out());
      assertTrue(run.out().contains("s ago)"), run.out());

      CliRun unknown = CliRun.of("monitor", "nosuch", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(2, unknown.exitCode());
    }
  }

  static Histogram latencies(long... nanos) {
    Histogram h = new Histogram(PhaseResult.LATENCY_DIGITS);
    for (long n : nanos) {
      h.recordValue(n);
    }
    return h;
  }
}
