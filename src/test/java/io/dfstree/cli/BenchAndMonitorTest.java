package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.client.FakeFdfsServer;
import io.dfstree.client.InMemoryFastDfs;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Bench sizes, content verification, a bench run against the in-memory fake, and monitor output. */
class BenchAndMonitorTest {

  @Test
  void sizesAcceptPlainNumbersAndBinarySuffixes() {
    assertEquals(4096, ByteSizeConverter.parse("4K"));
    assertEquals(4096, ByteSizeConverter.parse("4KiB"));
    assertEquals(1 << 20, ByteSizeConverter.parse("1M"));
    assertEquals(1048576, ByteSizeConverter.parse("1048576"));
    assertEquals(1L << 30, ByteSizeConverter.parse("1gb"));
    assertThrows(TypeConversionException.class, () -> ByteSizeConverter.parse("lots"));
    assertThrows(TypeConversionException.class, () -> ByteSizeConverter.parse("-1K"));
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
    assertNotEquals(Arrays.toString(whole), Arrays.toString(new BenchContent(1, 6, 1000).stream().readAllBytes()));
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
    long[] sorted = new long[100];
    Arrays.setAll(sorted, i -> i + 1);
    assertEquals(50, BenchCommand.percentile(sorted, 50));
    assertEquals(99, BenchCommand.percentile(sorted, 99));
    assertEquals(0, BenchCommand.percentile(new long[0], 50));
  }

  @Test
  void benchRunsAllPhasesAndCleansUp() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    try (FakeFdfsServer server = FakeFdfsServer.start(cluster)) {
      CliRun run = CliRun.of("bench", "-n", "40", "-s", "70K", "-c", "4", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.out() + run.err());
      assertTrue(run.out().matches("(?s).*upload\\s+40\\s+0\\s.*"), run.out());
      assertTrue(run.out().matches("(?s).*download\\s+40\\s+0\\s.*"), run.out());
      assertTrue(run.out().matches("(?s).*delete\\s+40\\s+0\\s.*"), run.out());
      assertTrue(cluster.files.isEmpty(), "bench deletes what it uploaded");
      long uploads = server.requests().stream().filter(r -> r.command() == 11).count();
      assertEquals(40, uploads);
      // 4 workers keep one tracker and one storage connection each (plus the probe): no reconnect per op
      assertTrue(server.connections() <= 9, "connections: " + server.connections());
    }
  }

  @Test
  void benchCountsCorruptedDownloadsAsErrors() throws Exception {
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    FakeFdfsServer.Responder corrupting = (r, port) -> {
      byte[] answer = cluster.respond(r, port);
      if (r.command() == 14 && answer.length > 20) {
        answer[20] ^= 0x55; // flip a content byte
      }
      return answer;
    };
    try (FakeFdfsServer server = FakeFdfsServer.start(corrupting)) {
      CliRun run = CliRun.of("bench", "-n", "5", "-s", "1K", "-c", "2", "--json",
          "--tracker", "127.0.0.1:" + server.port());
      assertEquals(1, run.exitCode(), run.out());
      assertTrue(run.out().matches("(?s).*\"operation\" : \"download\",\\s+\"count\" : 0,\\s+\"errors\" : 5,.*"),
          run.out());
      assertTrue(run.out().contains("content differs at byte 10"), run.out());
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
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(487);
    b.put((byte) 7).put((byte) 6);
    b.put(Arrays.copyOf("100001".getBytes(), 16)).put(Arrays.copyOf("127.0.0.1".getBytes(), 16));
    b.put(new byte[16]).put(Arrays.copyOf("6.16.1".getBytes(), 8));
    long[] fields = {0, 0, 1000, 400, 0, 0, 1, 256, 0, 23000};
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
    FakeFdfsServer.Responder tracker = (r, port) -> switch (r.command()) {
      case 91 -> FakeFdfsServer.ok(groupRecord());
      case 92 -> FakeFdfsServer.ok(storageRecord(heartbeat));
      default -> FakeFdfsServer.error(22);
    };
    try (FakeFdfsServer server = FakeFdfsServer.start(tracker)) {
      CliRun run = CliRun.of("monitor", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().contains("group group1: free 400 / total 1000 MB, 1 storage(s), 1 active, port 23000"),
          run.out());
      assertTrue(run.out().matches("(?s).*100001\\s+127\\.0\\.0\\.1:23000\\s+ACTIVE\\s+400\\s+1000\\s+11/12\\s+29/30.*"),
          run.out());
      assertTrue(run.out().contains("s ago)"), run.out());

      CliRun unknown = CliRun.of("monitor", "nosuch", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(2, unknown.exitCode());
    }
  }
}
