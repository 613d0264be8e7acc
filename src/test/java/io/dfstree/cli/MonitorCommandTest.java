package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.api.StorageCounters;
import io.dfstree.client.FakeFdfsServer;
import io.dfstree.protocol.StorageStat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Replication columns of {@code monitor}: sync counters, last synced, fdfs_monitor's delay, sampled
 * rates.
 */
class MonitorCommandTest {
  static final long MIB = 1 << 20;

  @Test
  void ratesComeFromTwoSamplesOverTheTimeBetweenTheirHeartbeats() {
    MonitorCommand.Rates rates = new MonitorCommand.Rates();
    assertSame(
        MonitorCommand.Rate.UNKNOWN, rates.update("g/1", 0, 0, 100), "one sample has no rate");
    assertEquals("-", rates.update("g/1", 0, 0, 100).text());
    MonitorCommand.Rate r = rates.update("g/1", 28 * MIB, 2 * MIB, 104);
    assertEquals(7.0, r.inMiBps(), 1e-9);
    assertEquals(0.5, r.outMiBps(), 1e-9);
    assertEquals("7.0/0.5", r.text());
    // no newer heartbeat: the counters could not have moved, the last rate stands
    assertSame(r, rates.update("g/1", 28 * MIB, 2 * MIB, 104));
    assertEquals(0.0, rates.update("g/1", 28 * MIB, 2 * MIB, 106).inMiBps(), 1e-9);
    // counters went back: the storage restarted, measure again from here
    assertSame(MonitorCommand.Rate.UNKNOWN, rates.update("g/1", MIB, 0, 108));
    assertEquals(1.0, rates.update("g/1", 3 * MIB, 0, 110).inMiBps(), 1e-9);
    // storages are measured apart
    assertSame(MonitorCommand.Rate.UNKNOWN, rates.update("g/2", 5 * MIB, 0, 110));
  }

  @Test
  void syncDelayIsFdfsMonitorsDelayBehindTheNewestWriteOnAnotherMember() {
    assertEquals("-", MonitorCommand.syncDelay(0, 0), "nobody else took a write");
    assertEquals("-", MonitorCommand.syncDelay(1000, 0));
    assertEquals("never synced", MonitorCommand.syncDelay(0, 1000));
    assertEquals("0s", MonitorCommand.syncDelay(1000, 990), "synced past the newest write");
    assertEquals("42s", MonitorCommand.syncDelay(1000, 1042));
    assertEquals("03m:05s", MonitorCommand.duration(185));
    assertEquals("02h:00m:01s", MonitorCommand.duration(7201));
    assertEquals("2 days 01h:01m:01s", MonitorCommand.duration(2 * 86400 + 3661));
    assertEquals("-", MonitorCommand.ago(0, 500));
    assertEquals("12s ago", MonitorCommand.ago(488, 500));
    assertEquals("0s ago", MonitorCommand.ago(510, 500), "clock skew never shows a negative age");
  }

  @Test
  void aRowShowsSyncCountersRateLastSyncedAndDelay() {
    long[] c = new long[StorageCounters.COUNT];
    c[StorageCounters.TOTAL_SYNC_IN_BYTES] = 100 * MIB;
    c[StorageCounters.SUCCESS_SYNC_IN_BYTES] = 97 * MIB + MIB * 3 / 10;
    c[StorageCounters.SUCCESS_SYNC_OUT_BYTES] = MIB / 2;
    StorageStat s = stat("100003", 2, c, 0, 930, 995);
    String row = MonitorCommand.row(s, new MonitorCommand.Rate(13.94, 0.0), 960, 1000);
    assertTrue(
        Pattern.compile(
                "100003 +127\\.0\\.0\\.1:23000 +SYNCING +.* 97\\.3 +0\\.5 +13\\.9/0\\.0 +70s ago +30s +"
                    + Pattern.quote(Instant.ofEpochSecond(995) + " (5s ago)"))
            .matcher(row)
            .find(),
        row);
    String fresh =
        MonitorCommand.row(
            stat("100001", 7, new long[StorageCounters.COUNT], 0, 0, 995),
            MonitorCommand.Rate.UNKNOWN,
            0,
            1000);
    assertTrue(Pattern.compile("ACTIVE .* 0\\.0 +0\\.0 +- +- +- +").matcher(fresh).find(), fresh);
  }

  /**
   * Two members of group1: 100001 takes writes, 100002 catches up at 2 MiB/s (one more sample per
   * call).
   */
  static FakeFdfsServer catchingUp(long now) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    return FakeFdfsServer.start(
        (r, port) ->
            switch (r.command()) {
              case 91 -> FakeFdfsServer.ok(BenchAndMonitorTest.groupRecord());
              case 92 -> {
                int k = calls.getAndIncrement();
                long beat = now - 10 + 2L * k;
                long[] a = new long[StorageCounters.COUNT];
                a[StorageCounters.TOTAL_SYNC_OUT_BYTES] =
                    a[StorageCounters.SUCCESS_SYNC_OUT_BYTES] = 4L * k * MIB;
                long[] b = new long[StorageCounters.COUNT];
                b[StorageCounters.TOTAL_SYNC_IN_BYTES] =
                    b[StorageCounters.SUCCESS_SYNC_IN_BYTES] = 4L * k * MIB;
                ByteBuffer both = ByteBuffer.allocate(2 * 487);
                both.put(record("100001", 7, a, now - 5, 0, beat))
                    .put(record("100002", 2, b, 0, now - 65, beat));
                yield FakeFdfsServer.ok(both.array());
              }
              default -> FakeFdfsServer.error(22);
            });
  }

  @Test
  void watchPrintsRatesBetweenRefreshes() throws Exception {
    long now = Instant.now().getEpochSecond();
    try (FakeFdfsServer server = catchingUp(now)) {
      CliRun run =
          CliRun.of(
              "monitor", "--watch", "1", "--count", "2", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.err());
      String[] tables = run.out().split("(?m)^--- ");
      assertEquals(3, tables.length, run.out());
      assertTrue(
          tables[1].contains(
              "SYNC IN MB  SYNC OUT MB  SYNC MiB/s in/out  LAST SYNCED    SYNC DELAY  LAST HEARTBEAT"),
          run.out());
      // first table: one sample, no rate yet; the member behind shows fdfs_monitor's delay
      assertTrue(
          Pattern.compile(
                  "100002 +127\\.0\\.0\\.1:23000 +SYNCING .* 0\\.0 +0\\.0 +- +\\d+s ago +01m:00s ")
              .matcher(tables[1])
              .find(),
          run.out());
      // second: 4 MiB more over the 2 s between the heartbeats
      assertTrue(
          Pattern.compile("100002 +127\\.0\\.0\\.1:23000 +SYNCING .* 4\\.0 +0\\.0 +2\\.0/0\\.0 ")
              .matcher(tables[2])
              .find(),
          run.out());
      assertTrue(
          Pattern.compile(
                  "100001 +127\\.0\\.0\\.1:23000 +ACTIVE .* 0\\.0 +4\\.0 +0\\.0/2\\.0 +- +- ")
              .matcher(tables[2])
              .find(),
          run.out());
    }
  }

  @Test
  void jsonWithAnIntervalCarriesCountersRatesAndDelay() throws Exception {
    long now = Instant.now().getEpochSecond();
    try (FakeFdfsServer server = catchingUp(now)) {
      CliRun run =
          CliRun.of(
              "monitor", "--json", "--interval", "1", "--tracker", "127.0.0.1:" + server.port());
      assertEquals(0, run.exitCode(), run.err());
      JsonArray storages =
          new JsonObject(run.out())
              .getJsonArray("groups")
              .getJsonObject(0)
              .getJsonArray("storages");
      JsonObject a = storages.getJsonObject(0);
      JsonObject b = storages.getJsonObject(1);
      assertEquals("SYNCING", b.getString("status"));
      assertEquals(4 * MIB, b.getLong("syncInBytes"));
      assertEquals(4 * MIB, b.getLong("successSyncInBytes"));
      assertEquals(2.0, b.getDouble("syncInMiBps"), 1e-9);
      assertEquals(now - 65, b.getLong("lastSyncedTimestamp"));
      assertEquals(60, b.getLong("syncDelaySeconds"));
      assertEquals(4 * MIB, a.getLong("successSyncOutBytes"));
      assertEquals(2.0, a.getDouble("syncOutMiBps"), 1e-9);
      assertNull(a.getValue("syncDelaySeconds"), "nobody else took a write");
    }
  }

  @Test
  void watchAndIntervalDoNotMix() {
    CliRun run =
        CliRun.of("monitor", "--watch", "1", "--interval", "1", "--tracker", "127.0.0.1:1");
    assertEquals(2, run.exitCode(), run.err());
  }

  static StorageStat stat(
      String id, int status, long[] counters, long lastSourceUpdate, long lastSynced, long beat) {
    return new StorageStat(
        status,
        6,
        id,
        "127.0.0.1",
        "",
        "",
        "6.15.0",
        0,
        0,
        1000,
        400,
        0,
        0,
        1,
        256,
        0,
        23000,
        -1,
        0,
        0,
        0,
        counters,
        lastSourceUpdate,
        0,
        lastSynced,
        beat,
        false,
        false);
  }

  /** A modern (487-byte) list-storages record. */
  static byte[] record(
      String id, int status, long[] counters, long lastSourceUpdate, long lastSynced, long beat) {
    ByteBuffer b = ByteBuffer.allocate(487);
    b.put((byte) status).put((byte) 6);
    b.put(Arrays.copyOf(id.getBytes(), 16)).put(Arrays.copyOf("127.0.0.1".getBytes(), 16));
    b.put(new byte[16]).put(Arrays.copyOf("6.15.0".getBytes(), 8));
    for (long f : new long[] {0, 0, 1000, 400, 0, 0, 1, 256, 0, 23000}) {
      b.putLong(f);
    }
    b.putInt(0).putInt(0).putInt(0);
    for (long c : counters) {
      b.putLong(c);
    }
    b.putLong(lastSourceUpdate).putLong(0).putLong(lastSynced).putLong(beat).put((byte) 0);
    return b.array();
  }
}
