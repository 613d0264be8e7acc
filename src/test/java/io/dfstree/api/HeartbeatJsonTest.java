package io.dfstree.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat's JSON crosses versions: members of two versions (a rolling upgrade) must keep
 * understanding each other's beats, so the JSON stays what data binding writes, and a field one
 * side does not know is ignored rather than making the beat unreadable.
 */
class HeartbeatJsonTest {
  static Heartbeat sample() {
    long[] counters = new long[StorageCounters.COUNT];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = i == 20 ? 5L << 33 : 1000 + i; // one above the int range
    }
    return new Heartbeat(
        100002,
        "group1",
        "127.0.0.1",
        23000,
        8888,
        "ACTIVE",
        List.of(
            new Heartbeat.StorePathStat(0, 100L << 30, 50L << 30, 1L << 30, false),
            new Heartbeat.StorePathStat(1, 7, 0, 0, true)),
        256,
        10,
        "6.0.7",
        1_700_000_000L,
        1_700_000_100L,
        2000,
        counters,
        new int[] {5, 3, 9},
        1_700_000_200L,
        0,
        Map.of("100001", 1_700_000_300L),
        1,
        "3f2c-node");
  }

  /** As a peer gets it: encoded to bytes by the clustered event bus and parsed again. */
  static JsonObject overTheWire(JsonObject json) {
    return new JsonObject(json.toBuffer());
  }

  static void assertSame(Heartbeat want, Heartbeat got) {
    assertEquals(want.storageId(), got.storageId());
    assertEquals(want.group(), got.group());
    assertEquals(want.host(), got.host());
    assertEquals(want.port(), got.port());
    assertEquals(want.httpPort(), got.httpPort());
    assertEquals(want.status(), got.status());
    assertEquals(want.storePaths(), got.storePaths());
    assertEquals(want.subdirCount(), got.subdirCount());
    assertEquals(want.uploadPriority(), got.uploadPriority());
    assertEquals(want.version(), got.version());
    assertEquals(want.joinTime(), got.joinTime());
    assertEquals(want.upTime(), got.upTime());
    assertEquals(want.intervalMs(), got.intervalMs());
    assertArrayEquals(want.counters(), got.counters());
    assertArrayEquals(want.connections(), got.connections());
    assertEquals(want.lastSourceUpdate(), got.lastSourceUpdate());
    assertEquals(want.lastSyncUpdate(), got.lastSyncUpdate());
    assertEquals(want.syncedUntil(), got.syncedUntil());
    assertEquals(want.currentWritePath(), got.currentWritePath());
    assertEquals(want.nodeId(), got.nodeId());
  }

  @Test
  void theJsonIsTheOneDataBindingWrote() {
    Heartbeat hb = sample();
    assertEquals(overTheWire(JsonObject.mapFrom(hb)), overTheWire(hb.toJson()));
  }

  @Test
  void aBeatReadsBackOverTheWireAndFromAnOlderVersionsJson() {
    Heartbeat hb = sample();
    assertSame(hb, Heartbeat.fromJson(overTheWire(hb.toJson())));
    assertSame(hb, Heartbeat.fromJson(overTheWire(JsonObject.mapFrom(hb))));
    assertSame(hb, Heartbeat.fromJson(hb.toJson())); // a local consumer: no wire in between
  }

  @Test
  void nullsStayNull() {
    Heartbeat hb =
        new Heartbeat(
            7, "g", "h", 1, 0, "ACTIVE", null, 256, 0, null, 0, 0, 0, null, null, 0, 0, null, 0,
            null);
    Heartbeat back = Heartbeat.fromJson(overTheWire(hb.toJson()));
    assertSame(hb, back);
    assertNull(back.storePaths());
    assertNull(back.counters());
  }

  @Test
  void aNewerMembersExtraFieldIsIgnoredAndAMissingOneReadsAsZero() {
    JsonObject json = sample().toJson().put("someFutureField", new JsonObject().put("x", 1));
    json.remove("currentWritePath");
    Heartbeat back = Heartbeat.fromJson(overTheWire(json));
    assertEquals(100002, back.storageId());
    assertEquals(0, back.currentWritePath());
  }
}
