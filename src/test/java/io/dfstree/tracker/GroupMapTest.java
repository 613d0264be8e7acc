package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.api.Heartbeat;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupMapTest {
  private final GroupMap map = new GroupMap(6000);

  @Test
  void firstBeatCreatesGroupAndMembersAreSortedById() {
    List<StateChange> c = map.apply(Beats.active(300, "g1"), 0);
    map.apply(Beats.active(100, "g1"), 0);
    map.apply(Beats.active(200, "g2"), 0);
    assertEquals(1, c.size());
    assertNull(c.get(0).from());
    assertEquals(StorageStatus.ACTIVE, c.get(0).to());
    assertEquals(List.of("g1", "g2"), map.groups().stream().map(StorageGroup::name).toList());
    assertEquals(
        List.of(100, 300), map.group("g1").members().stream().map(StorageEntry::id).toList());
    assertEquals(List.of(100, 200, 300), map.storages().stream().map(StorageEntry::id).toList());
  }

  @Test
  void silentStorageGoesOfflineOnlyAfterTimeout() {
    map.apply(Beats.active(1, "g"), 1000);
    assertTrue(map.expire(7000).isEmpty(), "exactly the timeout is still fresh");
    List<StateChange> c = map.expire(7001);
    assertEquals(1, c.size());
    assertEquals("storage 1 (g 127.0.0.1:23000) ACTIVE -> OFFLINE", c.get(0).toString());
    assertTrue(map.group("g").readable().isEmpty());
    assertTrue(map.expire(20000).isEmpty(), "no repeated change");
    List<StateChange> back = map.apply(Beats.active(1, "g"), 21000);
    assertEquals(StorageStatus.ACTIVE, back.get(0).to());
  }

  @Test
  void leavingGoesOfflineAtOnce() {
    map.apply(Beats.active(1, "g"), 0);
    assertEquals(StorageStatus.OFFLINE, map.leave(1).get(0).to());
    assertEquals(StorageStatus.OFFLINE, map.storage(1).status());
    assertTrue(map.leave(1).isEmpty());
    assertTrue(map.leave(99).isEmpty());
  }

  @Test
  void reportedStatusIsKeptWhileFresh() {
    map.apply(Beats.beat(1, "g", "WAIT_SYNC", List.of(Beats.path(0, 50)), 1, Map.of()), 0);
    assertEquals(StorageStatus.WAIT_SYNC, map.storage(1).status());
    assertTrue(map.group("g").readable().isEmpty());
    map.apply(Beats.beat(1, "g", "bogus", List.of(Beats.path(0, 50)), 1, Map.of()), 0);
    assertEquals(StorageStatus.NONE, map.storage(1).status());
  }

  @Test
  void writableNeedsActiveAndAPathWithFreeSpaceAboveReserve() {
    map.apply(Beats.active(1, "g"), 0);
    map.apply(
        Beats.beat(
            2,
            "g",
            "ACTIVE",
            List.of(new Heartbeat.StorePathStat(0, 100 * Beats.GB, Beats.GB, Beats.GB, false)),
            1,
            Map.of()),
        0);
    map.apply(
        Beats.beat(
            3,
            "g",
            "ACTIVE",
            List.of(new Heartbeat.StorePathStat(0, 100 * Beats.GB, 50 * Beats.GB, Beats.GB, true)),
            1,
            Map.of()),
        0);
    map.apply(Beats.beat(4, "g", "ONLINE", List.of(Beats.path(0, 50)), 1, Map.of()), 0);
    StorageGroup g = map.group("g");
    assertEquals(List.of(1, 2, 3), g.readable().stream().map(StorageEntry::id).toList());
    assertEquals(List.of(1), g.writable().stream().map(StorageEntry::id).toList());
  }

  @Test
  void groupSpaceIsThatOfTheMemberWithLeastFreeSpace() {
    map.apply(Beats.beat(1, "g", "ACTIVE", List.of(Beats.path(0, 80)), 1, Map.of()), 0);
    map.apply(
        Beats.beat(2, "g", "ACTIVE", List.of(Beats.path(0, 30), Beats.path(1, 10)), 1, Map.of()),
        0);
    StorageGroup g = map.group("g");
    assertEquals(40 * 1024, g.freeMb());
    assertEquals(200 * 1024, g.totalMb());
    assertEquals(2 * 1024, g.reservedMb());
  }

  @Test
  void deleteRules() {
    map.apply(Beats.active(1, "g"), 0);
    assertEquals(Errno.ENOENT, errno(() -> map.delete("g", "2")));
    assertEquals(Errno.ENOENT, errno(() -> map.delete("nogroup", "1")));
    assertEquals(Errno.EBUSY, errno(() -> map.delete("g", "1")));
    map.apply(Beats.beat(1, "g", "ONLINE", List.of(Beats.path(0, 5)), 1, Map.of()), 0);
    assertEquals(Errno.EBUSY, errno(() -> map.delete("g", "127.0.0.1")));
    map.apply(Beats.beat(1, "g", "RECOVERY", List.of(Beats.path(0, 5)), 1, Map.of()), 0);
    assertEquals(Errno.EBUSY, errno(() -> map.delete("g", "1")));
    map.leave(1);
    List<StateChange> c = map.delete("g", "127.0.0.1");
    assertEquals(StorageStatus.DELETED, c.get(0).to());
    assertEquals(Errno.EALREADY, errno(() -> map.delete("g", "1")));
  }

  @Test
  void deletedStaysDeletedWhileSameProcessBeatsButRestartIsReadmitted() {
    Heartbeat first = Beats.active(1, "g");
    map.apply(first, 0);
    map.leave(1);
    map.delete("g", "1");
    assertTrue(map.apply(first, 100).isEmpty());
    assertEquals(StorageStatus.DELETED, map.storage(1).status());
    assertTrue(map.expire(100_000).isEmpty(), "DELETED never becomes OFFLINE");
    Heartbeat restarted =
        new Heartbeat(
            1,
            "g",
            first.host(),
            first.port(),
            0,
            "ACTIVE",
            first.storePaths(),
            256,
            1,
            "x",
            first.joinTime(),
            first.upTime() + 50,
            2000,
            null,
            null,
            0,
            0,
            null,
            0,
            null);
    assertEquals(StorageStatus.ACTIVE, map.apply(restarted, 200).get(0).to());
  }

  @Test
  void storageMovedToAnotherGroupLeavesTheOldOne() {
    map.apply(Beats.active(1, "g1"), 0);
    map.apply(Beats.active(1, "g2"), 0);
    assertNull(map.group("g1"));
    assertEquals(1, map.group("g2").members().size());
  }

  @Test
  void lastSyncedTimestampIsMinOfPositiveValuesFromActiveSources() {
    map.apply(Beats.active(1, "g"), 0);
    map.apply(Beats.active(2, "g"), 0);
    map.apply(Beats.beat(3, "g", "ACTIVE", List.of(Beats.path(0, 5)), 1, Map.of()), 0);
    map.apply(
        Beats.beat(
            4,
            "g",
            "ACTIVE",
            List.of(Beats.path(0, 5)),
            1,
            Map.of("1", 500L, "2", 300L, "3", 0L, "99", 10L)),
        0);
    assertEquals(300, map.lastSyncedTimestamp(map.storage(4)));
    map.leave(2);
    assertEquals(500, map.lastSyncedTimestamp(map.storage(4)), "offline source ignored");
    assertEquals(0, map.lastSyncedTimestamp(map.storage(1)));
  }

  @Test
  void jsonSnapshotCarriesStateAndSpace() {
    map.apply(Beats.beat(7, "g", "ACTIVE", List.of(Beats.path(0, 5)), 1, Map.of("8", 42L)), 0);
    var s =
        map.toJson()
            .getJsonArray("groups")
            .getJsonObject(0)
            .getJsonArray("storages")
            .getJsonObject(0);
    assertEquals("ACTIVE", s.getString("state"));
    assertEquals(5 * 1024, s.getLong("freeMb"));
    assertEquals(42L, s.getJsonObject("syncedUntil").getLong("8"));
  }

  static int errno(Runnable r) {
    try {
      r.run();
    } catch (FdfsException e) {
      return e.errno();
    }
    return 0;
  }

  @Test
  void aDeadProcessIsOfflineAtOnceAndItsLateBeatsDoNotRevive() {
    map.apply(Beats.active(1, "g"), 0);
    assertEquals(
        "storage 1 (g 127.0.0.1:23000) ACTIVE -> OFFLINE", map.down(1, 1000).get(0).toString());
    assertTrue(map.group("g").writable().isEmpty());
    assertTrue(map.apply(Beats.active(1, "g"), 1500).isEmpty(), "a beat sent before it died");
    assertEquals(StorageStatus.OFFLINE, map.storage(1).status());
    assertTrue(map.down(1, 1600).isEmpty(), "no repeated change");
    assertEquals(
        StorageStatus.ACTIVE,
        map.apply(Beats.active(1, "g"), 7700).get(0).to(),
        "a process still beating a heartbeat timeout later is alive");
  }

  @Test
  void aReachableStorageCountsAgainAtItsNextBeat() {
    map.apply(Beats.active(1, "g"), 0);
    map.down(1, 1000);
    map.markReachable(1);
    assertEquals(StorageStatus.ACTIVE, map.apply(Beats.active(1, "g"), 1100).get(0).to());
  }

  @Test
  void aLeavingClusterMemberTakesItsStoragesOffline() {
    map.apply(activeOnNode(1, "node-a"), 0);
    map.apply(Beats.active(2, "g"), 0);
    assertTrue(map.memberLeft("node-b", 10).isEmpty());
    List<StateChange> c = map.memberLeft("node-a", 10);
    assertEquals(1, c.size());
    assertEquals(1, c.get(0).storage().id());
    assertEquals(StorageStatus.ACTIVE, map.storage(2).status());
  }

  @Test
  void aMemberThatMergesBackIsHeardAtItsNextHeartbeat() {
    map.apply(activeOnNode(1, "node-a"), 0);
    map.memberLeft("node-a", 10);
    // a beat from the same process right after it left is not believed (a late one)...
    assertTrue(map.apply(activeOnNode(1, "node-a"), 500).isEmpty());
    assertEquals(StorageStatus.OFFLINE, map.storage(1).status());
    // ...until its member is back in the cluster
    map.memberBack("node-b");
    assertTrue(map.apply(activeOnNode(1, "node-a"), 600).isEmpty());
    map.memberBack("node-a");
    assertEquals(StorageStatus.ACTIVE, map.apply(activeOnNode(1, "node-a"), 700).get(0).to());
  }

  /** An ACTIVE heartbeat of storage {@code id} in group g from cluster node {@code nodeId}. */
  static Heartbeat activeOnNode(int id, String nodeId) {
    Heartbeat b = Beats.active(id, "g");
    return new Heartbeat(
        id,
        "g",
        b.host(),
        b.port(),
        0,
        "ACTIVE",
        b.storePaths(),
        256,
        1,
        "x",
        b.joinTime(),
        b.upTime(),
        2000,
        null,
        null,
        0,
        0,
        null,
        0,
        nodeId);
  }
}
