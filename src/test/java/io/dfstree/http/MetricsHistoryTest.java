package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.StorageCounters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's one-hour ring: rates from counter deltas, gaps, restarts, lag, the window. */
class MetricsHistoryTest {
  static final long T0 = 1_800_000_000_000L; // a multiple of 5 s

  static Heartbeat beat(
      int id,
      String group,
      long uploads,
      long uploadBytes,
      long downloads,
      long freeBytes,
      long lastSourceUpdate,
      Map<String, Long> syncedUntil) {
    long[] c = new long[StorageCounters.COUNT];
    c[StorageCounters.SUCCESS_UPLOAD] = uploads;
    c[StorageCounters.SUCCESS_UPLOAD_BYTES] = uploadBytes;
    c[StorageCounters.SUCCESS_DOWNLOAD] = downloads;
    return new Heartbeat(
        id,
        group,
        "127.0.0.1",
        23000 + id % 10,
        8080,
        "ACTIVE",
        List.of(new Heartbeat.StorePathStat(0, 100L << 30, freeBytes, 1L << 30, false)),
        256,
        10,
        "0.1.0",
        1,
        2,
        2000,
        c,
        new int[] {0, 0, 0},
        lastSourceUpdate,
        0,
        syncedUntil,
        0,
        null);
  }

  static JsonArray samples(MetricsHistory h, int storage) {
    for (Object o : h.toJson(0).getJsonArray("storages")) {
      JsonObject s = (JsonObject) o;
      if (s.getInteger("id") == storage) {
        return s.getJsonArray("samples");
      }
    }
    return new JsonArray();
  }

  @Test
  void ratesAreCounterDeltasOverTheTimeBetweenHeartbeats() {
    MetricsHistory h = new MetricsHistory(5000, 3_600_000);
    h.heartbeat(beat(1, "g", 100, 1000, 7, 50L << 30, 0, Map.of()), T0 + 1000);
    h.sample(T0 + 1500);
    h.heartbeat(beat(1, "g", 150, 1000 + 5 * 1048576, 7, 49L << 30, 0, Map.of()), T0 + 6000);
    h.latency(1, 12.5, -1);
    h.sample(T0 + 6500);
    JsonArray s = samples(h, 1);
    assertEquals(2, s.size());
    JsonObject first = s.getJsonObject(0);
    assertEquals(T0, first.getLong("t"), "ticks are aligned to the interval");
    assertEquals(0.0, first.getDouble("up"), "no rate before a second heartbeat");
    JsonObject second = s.getJsonObject(1);
    assertEquals(T0 + 5000, second.getLong("t"));
    assertEquals(10.0, second.getDouble("up"), "50 uploads in 5 s");
    assertEquals(1048576L, second.getLong("upB"), "5 MiB in 5 s");
    assertEquals(0.0, second.getDouble("down"));
    assertEquals(12.5, second.getDouble("upP99"));
    assertEquals(-1.0, second.getDouble("downP99"), "unknown stays -1, not 0");
    assertEquals(49L << 30, second.getJsonArray("free").getLong(0));
    assertEquals(
        "M00",
        h.toJson(0).getJsonArray("storages").getJsonObject(0).getJsonArray("paths").getString(0));
  }

  @Test
  void workBetweenTheFirstBeatAndTheFirstSampleIsCharted() {
    // a storage joins and takes an upload before the tracker's first sample (WebConsoleIT's
    // browser upload right after start): its bytes are a rate, not folded into a baseline
    MetricsHistory h = new MetricsHistory(5000, 3_600_000);
    h.heartbeat(beat(1, "g", 0, 0, 0, 1, 0, Map.of()), T0 + 100);
    h.heartbeat(beat(1, "g", 1, 300 * 1024, 0, 1, 0, Map.of()), T0 + 2100);
    h.sample(T0 + 2500);
    JsonArray s = samples(h, 1);
    assertEquals(1, s.size());
    assertEquals(0.5, s.getJsonObject(0).getDouble("up"), "1 upload in the 2 s since the first beat");
    assertEquals(150 * 1024L, s.getJsonObject(0).getLong("upB"));
  }

  @Test
  void noNewHeartbeatIsAGapAndARestartDoesNotGoNegative() {
    MetricsHistory h = new MetricsHistory(5000, 3_600_000);
    h.heartbeat(beat(1, "g", 100, 0, 0, 1, 0, Map.of()), T0);
    h.sample(T0 + 100);
    h.sample(T0 + 5100); // silent storage: no made-up sample
    assertEquals(1, samples(h, 1).size());
    h.heartbeat(beat(1, "g", 3, 0, 0, 1, 0, Map.of()), T0 + 10_000); // restarted: counters from 0
    h.sample(T0 + 10_100);
    assertEquals(0.0, samples(h, 1).getJsonObject(1).getDouble("up"));
    h.heartbeat(beat(1, "g", 13, 0, 0, 1, 0, Map.of()), T0 + 15_000);
    h.sample(T0 + 15_100);
    assertEquals(
        2.0, samples(h, 1).getJsonObject(2).getDouble("up"), "rates resume from the new baseline");
  }

  @Test
  void lagIsHowFarAMemberIsBehindItsSourcesNewestWrite() {
    MetricsHistory h = new MetricsHistory(5000, 3_600_000);
    h.heartbeat(beat(1, "g", 0, 0, 0, 1, 1_000_500, Map.of("2", 1_000_000L)), T0);
    h.heartbeat(beat(2, "g", 0, 0, 0, 1, 1_000_000, Map.of("1", 1_000_440L, "3", 5L)), T0);
    h.heartbeat(beat(3, "other", 0, 0, 0, 1, 0, Map.of()), T0);
    h.sample(T0 + 1);
    assertEquals(
        0L,
        samples(h, 1).getJsonObject(0).getJsonObject("lag").getLong("2"),
        "caught up with an idle source");
    JsonObject lag2 = samples(h, 2).getJsonObject(0).getJsonObject("lag");
    assertEquals(60L, lag2.getLong("1"), "60 s behind storage 1's newest write");
    assertFalse(lag2.containsKey("3"), "a storage of another group is no source");
    h.heartbeat(beat(4, "g", 0, 0, 0, 1, 0, Map.of("1", 0L)), T0 + 10);
    h.sample(T0 + 20);
    assertEquals(
        -1L,
        samples(h, 4).getJsonObject(0).getJsonObject("lag").getLong("1"),
        "nothing applied yet");
  }

  @Test
  void theRingKeepsOneWindowAndForgetsSilentStorages() {
    MetricsHistory h = new MetricsHistory(1000, 10_000);
    for (int i = 0; i < 25; i++) {
      h.heartbeat(beat(1, "g", i, 0, 0, 1, 0, Map.of()), T0 + i * 1000L);
      h.sample(T0 + i * 1000L + 10);
    }
    assertEquals(10, h.size(1));
    assertEquals(T0 + 24_000, samples(h, 1).getJsonObject(9).getLong("t"));
    assertEquals(
        3,
        h.toJson(T0 + 21_000)
            .getJsonArray("storages")
            .getJsonObject(0)
            .getJsonArray("samples")
            .size(),
        "since= returns only newer samples");
    h.sample(T0 + 24_000 + 10_001);
    assertEquals(
        0, h.toJson(0).getJsonArray("storages").size(), "silent for a whole window: forgotten");
  }
}
