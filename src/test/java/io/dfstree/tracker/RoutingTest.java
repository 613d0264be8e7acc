package io.dfstree.tracker;

import static io.dfstree.tracker.GroupMapTest.errno;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTest {
  static final long NOW = 1_800_000_000L;
  private final GroupMap map = new GroupMap(6000);

  private Routing routing(int lookup, int server, int path, int download) {
    return new Routing(map, Beats.options(lookup, server, path, download));
  }

  static String file(int source, long created) {
    return FileName.generate(0, 1, 2, source, (int) created, 100, 7, false, "jpg");
  }

  @Test
  void storeLookupRoundRobinSkipsGroupsThatCannotTakeWrites() {
    map.apply(Beats.active(1, "g1"), 0);
    map.apply(Beats.active(2, "g2"), 0);
    map.apply(Beats.beat(3, "g3", "ACTIVE", List.of(Beats.path(0, 0)), 1, Map.of()), 0);
    Routing r = routing(0, 0, 0, 0);
    assertEquals(
        List.of("g1", "g2", "g1", "g2"),
        List.of(
            r.storeOne(null).group(),
            r.storeOne(null).group(),
            r.storeOne(null).group(),
            r.storeOne(null).group()));
  }

  @Test
  void storeLookupFixedGroupAndMostFree() {
    map.apply(Beats.beat(1, "g1", "ACTIVE", List.of(Beats.path(0, 70)), 1, Map.of()), 0);
    map.apply(Beats.beat(2, "group2", "ACTIVE", List.of(Beats.path(0, 20)), 1, Map.of()), 0);
    assertEquals("group2", routing(1, 0, 0, 0).storeOne(null).group());
    assertEquals("g1", routing(2, 0, 0, 0).storeOne(null).group());
    assertEquals(
        "group2", routing(2, 0, 0, 0).storeOne("group2").group(), "explicit group bypasses lookup");
  }

  @Test
  void storeLookupErrors() {
    assertEquals(Errno.ENOENT, errno(() -> routing(0, 0, 0, 0).storeOne(null)));
    map.apply(Beats.beat(1, "g1", "ACTIVE", List.of(Beats.path(0, 0)), 1, Map.of()), 0);
    assertEquals(Errno.ENOSPC, errno(() -> routing(0, 0, 0, 0).storeOne(null)));
    assertEquals(Errno.ENOSPC, errno(() -> routing(0, 0, 0, 0).storeOne("g1")));
    assertEquals(Errno.ENOENT, errno(() -> routing(0, 0, 0, 0).storeOne("nope")));
    assertEquals(
        Errno.ENOENT, errno(() -> routing(1, 0, 0, 0).storeOne(null)), "storeGroup group2 unknown");
    map.leave(1);
    assertEquals(Errno.ENOENT, errno(() -> routing(0, 0, 0, 0).storeOne("g1")), "no active member");
  }

  @Test
  void storeServerPolicies() {
    map.apply(Beats.beat(3, "g", "ACTIVE", List.of(Beats.path(0, 50)), 5, Map.of()), 0);
    map.apply(Beats.beat(1, "g", "ACTIVE", List.of(Beats.path(0, 50)), 9, Map.of()), 0);
    map.apply(Beats.beat(2, "g", "ACTIVE", List.of(Beats.path(0, 50)), 5, Map.of()), 0);
    Routing rr = routing(0, 0, 0, 0);
    assertEquals(
        List.of(1, 2, 3, 1),
        List.of(
            rr.storeOne("g").first().id(),
            rr.storeOne("g").first().id(),
            rr.storeOne("g").first().id(),
            rr.storeOne("g").first().id()));
    assertEquals(1, routing(0, 1, 0, 0).storeOne("g").first().id());
    assertEquals(
        2, routing(0, 2, 0, 0).storeOne("g").first().id(), "lowest priority, lowest id on ties");
  }

  @Test
  void storePathPolicies() {
    map.apply(
        Beats.beat(
            1,
            "g",
            "ACTIVE",
            List.of(Beats.path(0, 10), Beats.path(1, 0), Beats.path(2, 60)),
            1,
            Map.of()),
        0);
    Routing rr = routing(0, 1, 0, 0);
    assertEquals(
        List.of(0, 2, 0),
        List.of(
            rr.storeOne("g").storePathIndex(),
            rr.storeOne("g").storePathIndex(),
            rr.storeOne("g").storePathIndex()),
        "round robin over writable paths only");
    assertEquals(2, routing(0, 1, 2, 0).storeOne("g").storePathIndex());
  }

  @Test
  void storeAllListsWritableByIdWithPathOfFirst() {
    map.apply(Beats.active(2, "g"), 0);
    map.apply(Beats.active(1, "g"), 0);
    map.apply(Beats.beat(3, "g", "OFFLINE", List.of(Beats.path(0, 50)), 1, Map.of()), 0);
    UploadTarget t = routing(0, 0, 0, 0).storeAll(null);
    assertEquals(List.of(1, 2), t.storages().stream().map(StorageEntry::id).toList());
    assertEquals(0, t.storePathIndex());
  }

  private void threeMembers(Map<String, Long> syncedOf2) {
    map.apply(Beats.active(1, "g"), 0);
    map.apply(Beats.beat(2, "g", "ACTIVE", List.of(Beats.path(0, 50)), 1, syncedOf2), 0);
    map.apply(Beats.active(3, "g"), 0);
  }

  @Test
  void freshFileIsServedOnlyByItsSourceAndSyncedStorages() {
    threeMembers(Map.of("1", NOW - 5));
    Routing r = routing(0, 0, 0, 0);
    String fresh = file(1, NOW - 10);
    assertEquals(
        List.of(1, 2), r.fetchAll("g", fresh, NOW).stream().map(StorageEntry::id).toList());
    String newer = file(1, NOW - 2);
    assertEquals(List.of(1), r.fetchAll("g", newer, NOW).stream().map(StorageEntry::id).toList());
    for (int i = 0; i < 4; i++) {
      assertEquals(1, r.fetchOne("g", newer, NOW).id());
    }
  }

  @Test
  void oldFilesAreAssumedSyncedAndRoundRobin() {
    threeMembers(Map.of());
    Routing r = routing(0, 0, 0, 0);
    String old = file(1, NOW - 86401);
    // exactly three servers would be misread as IPv6 by Java 1.33+: capped at two
    assertEquals(List.of(1, 2), r.fetchAll("g", old, NOW).stream().map(StorageEntry::id).toList());
    assertEquals(
        List.of(1, 2, 3, 1),
        List.of(
            r.fetchOne("g", old, NOW).id(),
            r.fetchOne("g", old, NOW).id(),
            r.fetchOne("g", old, NOW).id(),
            r.fetchOne("g", old, NOW).id()));
    map.apply(Beats.active(4, "g"), 0);
    assertEquals(4, r.fetchAll("g", old, NOW).size());
  }

  @Test
  void syncedPlusOneCountsAfterMaxTime() {
    map.apply(Beats.active(1, "g"), 0);
    map.apply(
        Beats.beat(2, "g", "ACTIVE", List.of(Beats.path(0, 50)), 1, Map.of("1", NOW - 400L)), 0);
    map.leave(1);
    map.apply(Beats.active(1, "g"), 0);
    Routing r = routing(0, 0, 0, 0);
    StorageEntry s2 = map.storage(2);
    assertTrue(r.eligible(s2, map.storage(1), NOW - 401, NOW), "synced > T");
    assertTrue(
        r.eligible(s2, map.storage(1), NOW - 399, NOW), "synced + 1 >= T and older than max time");
    assertFalse(r.eligible(s2, map.storage(1), NOW - 398, NOW), "synced + 1 < T");
    assertFalse(r.eligible(s2, map.storage(1), NOW - 100, NOW));
    assertTrue(r.eligible(map.storage(1), map.storage(1), NOW, NOW), "source always");
  }

  @Test
  void unsyncedFileWithSourceDownFallsBackToStoreServer() {
    threeMembers(Map.of());
    map.leave(1);
    assertEquals(2, routing(0, 0, 0, 0).fetchOne("g", file(1, NOW - 10), NOW).id());
    assertEquals(
        List.of(2),
        routing(0, 0, 0, 0).fetchAll("g", file(1, NOW - 10), NOW).stream()
            .map(StorageEntry::id)
            .toList());
  }

  @Test
  void downloadServerOneAndAppenderAndSlaveGoToSource() {
    threeMembers(Map.of());
    String old = file(3, NOW - 90000);
    assertEquals(3, routing(0, 0, 0, 1).fetchOne("g", old, NOW).id());
    String appender = FileName.generate(0, 1, 2, 2, (int) (NOW - 90000), 0, 0, true, "log");
    String slave = FileName.slaveName(old, "_big", "jpg");
    Routing r = routing(0, 0, 0, 0);
    assertEquals(2, r.fetchOne("g", appender, NOW).id());
    assertEquals(3, r.fetchOne("g", slave, NOW).id());
    assertEquals(
        List.of(2), r.fetchAll("g", appender, NOW).stream().map(StorageEntry::id).toList());
    map.leave(2);
    assertEquals(1, r.fetchOne("g", appender, NOW).id(), "source down: the store server");
  }

  @Test
  void fetchErrors() {
    Routing r = routing(0, 0, 0, 0);
    assertEquals(Errno.ENOENT, errno(() -> r.fetchOne("g", file(1, NOW), NOW)));
    map.apply(Beats.active(1, "g"), 0);
    map.leave(1);
    assertEquals(Errno.ENOENT, errno(() -> r.fetchOne("g", file(1, NOW), NOW)));
    assertEquals(Errno.ENOENT, errno(() -> r.fetchAll("g", file(1, NOW), NOW)));
    assertEquals(
        Errno.EINVAL,
        errno(() -> r.fetchOne("g", "M00/00/00/bad$name-at-all-xxxxxxxxxxxxxxxxxxxx", NOW)));
  }

  @Test
  void updateGoesToWritableSourceElseByPolicy() {
    threeMembers(Map.of());
    Routing r = routing(0, 1, 0, 0);
    assertEquals(3, r.update("g", file(3, NOW)).id());
    map.leave(3);
    assertEquals(1, r.update("g", file(3, NOW)).id());
    assertEquals(1, r.update("g", file(77, NOW)).id(), "unknown source");
  }

  @Test
  void updateOnAFullGroupStillReachesTheActiveSource() {
    map.apply(Beats.beat(1, "g", "ACTIVE", List.of(Beats.path(0, 0)), 1, Map.of()), 0);
    map.apply(Beats.beat(2, "g", "ACTIVE", List.of(Beats.path(0, 0)), 1, Map.of()), 0);
    assertEquals(2, routing(0, 0, 0, 0).update("g", file(2, NOW)).id());
    map.leave(2);
    assertEquals(Errno.ENOENT, errno(() -> routing(0, 0, 0, 0).update("g", file(2, NOW))));
  }
}
