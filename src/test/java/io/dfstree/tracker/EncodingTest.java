package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerReply;
import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.StorageStats;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tracker's answers as bytes: what it knows, mapped to reply records, laid out by {@link
 * TrackerCodec}.
 */
class EncodingTest {
  private final GroupMap map = new GroupMap(6000);

  EncodingTest() {
    map.apply(
        Beats.beat(
            100001,
            "group1",
            "ACTIVE",
            List.of(Beats.path(0, 40), Beats.path(1, 60)),
            7,
            Map.of("100002", 1234L)),
        5_000_000);
    map.apply(Beats.active(100002, "group1"), 0);
  }

  private static Buffer bytes(TrackerReply r) {
    return TrackerCodec.replyBody(r);
  }

  @Test
  void storeOneIs40Bytes() {
    Buffer b =
        bytes(TrackerAnswers.storeOne(new UploadTarget("group1", List.of(map.storage(100001)), 3)));
    assertEquals(40, b.length());
    assertEquals("group1", Wire.readFixed(b, 0, 16));
    assertEquals("127.0.0.1", Wire.readFixed(b, 16, 15));
    assertEquals(23000, b.getLong(31));
    assertEquals(3, b.getByte(39));
  }

  @Test
  void storeAllIs17Plus23PerServer() {
    Buffer b =
        bytes(
            TrackerAnswers.storeAll(
                new UploadTarget("group1", List.copyOf(map.group("group1").members()), 1)));
    assertEquals(17 + 46, b.length());
    assertEquals("127.0.0.2", Wire.readFixed(b, 16 + 23, 15));
    assertEquals(23000, b.getLong(16 + 23 + 15));
    assertEquals(1, b.getByte(b.length() - 1));
  }

  @Test
  void fetchOneIs39AndFetchAllIsLegacyShape() {
    assertEquals(39, bytes(TrackerAnswers.fetchOne("group1", map.storage(100001))).length());
    Buffer all =
        bytes(TrackerAnswers.fetchAll("group1", List.copyOf(map.group("group1").members())));
    assertEquals(39 + 15, all.length());
    assertEquals(23000, all.getLong(31));
    assertEquals("127.0.0.2", Wire.readFixed(all, 39, 15));
  }

  @Test
  void legacyGroupStat() {
    Buffer b = bytes(new GroupStats(List.of(ListLayout.LEGACY.groupStat(map.group("group1")))));
    assertEquals(105, b.length());
    assertEquals("group1", Wire.readFixed(b, 0, 17));
    assertEquals(100 * 1024, b.getLong(17), "total of the tightest member (100002)");
    assertEquals(50 * 1024, b.getLong(25), "free of the tightest member");
    assertEquals(0, b.getLong(33), "trunk free");
    assertEquals(2, b.getLong(41), "storage count");
    assertEquals(23000, b.getLong(49));
    assertEquals(8888, b.getLong(57), "http port");
    assertEquals(2, b.getLong(65), "active count");
    assertEquals(2, b.getLong(81), "store path count");
    assertEquals(256, b.getLong(89));
  }

  @Test
  void modernGroupStat() {
    Buffer b = bytes(new GroupStats(List.of(ListLayout.MODERN.groupStat(map.group("group1")))));
    assertEquals(113, b.length());
    assertEquals(50 * 1024, b.getLong(25));
    assertEquals(1024, b.getLong(33), "reserved");
    assertEquals(2, b.getLong(49), "storage count");
    assertEquals(23000, b.getLong(57));
    assertEquals(2, b.getLong(65), "readable");
    assertEquals(2, b.getLong(73), "writable");
    assertEquals(-1, b.getLong(105), "no trunk file");
  }

  @Test
  void legacyStorageStat() {
    StorageEntry s = map.storage(100001);
    Buffer b = bytes(new StorageStats(List.of(ListLayout.LEGACY.storageStat(s, 1234))));
    assertEquals(612, b.length());
    assertEquals(7, b.getByte(0), "ACTIVE");
    assertEquals("100001", Wire.readFixed(b, 1, 16));
    assertEquals("127.0.0.1", Wire.readFixed(b, 17, 16));
    assertEquals("", Wire.readFixed(b, 33, 128), "domain");
    assertEquals("6.0.7", Wire.readFixed(b, 177, 6));
    assertEquals(1_700_000_000L, b.getLong(183), "join time");
    assertEquals(1_700_000_100L + 100001, b.getLong(191), "up time");
    assertEquals(200 * 1024, b.getLong(199));
    assertEquals(100 * 1024, b.getLong(207), "free MB");
    assertEquals(7, b.getLong(215), "upload priority");
    assertEquals(2, b.getLong(223), "path count");
    assertEquals(23000, b.getLong(247));
    assertEquals(8888, b.getLong(255));
    assertEquals(5, b.getInt(263));
    assertEquals(9, b.getInt(271));
    assertEquals(1000, b.getLong(275), "first counter");
    assertEquals(1037, b.getLong(275 + 37 * 8), "last counter");
    assertEquals(1_700_000_200L, b.getLong(579));
    assertEquals(1_700_000_300L, b.getLong(587));
    assertEquals(1234, b.getLong(595), "last synced");
    assertEquals(5000, b.getLong(603), "last heartbeat seconds");
    assertEquals(0, b.getByte(611));
  }

  @Test
  void modernStorageStat() {
    Buffer b =
        bytes(new StorageStats(List.of(ListLayout.MODERN.storageStat(map.storage(100001), 99))));
    assertEquals(487, b.length());
    assertEquals(7, b.getByte(0));
    assertEquals(6, b.getByte(1), "rw mode");
    assertEquals("100001", Wire.readFixed(b, 2, 16));
    assertEquals("127.0.0.1", Wire.readFixed(b, 18, 16));
    assertEquals("6.0.7", Wire.readFixed(b, 50, 8));
    assertEquals(1_700_000_000L, b.getLong(58));
    assertEquals(100 * 1024, b.getLong(82), "free MB");
    assertEquals(2 * 1024, b.getLong(90), "reserved MB");
    assertEquals(23000, b.getLong(130));
    assertEquals(5, b.getInt(138));
    assertEquals(99, b.getLong(138 + 12 + 38 * 8 + 16));
  }

  @Test
  void offlineStorageReportsNoUpTime() {
    map.leave(100001);
    Buffer b =
        bytes(new StorageStats(List.of(ListLayout.LEGACY.storageStat(map.storage(100001), 0))));
    assertEquals(5, b.getByte(0));
    assertEquals(0, b.getLong(191));
  }

  @Test
  void storageIdsPageFromStartIndex() {
    Buffer b = bytes(TrackerAnswers.storageIds(map.storages(), 1));
    assertEquals(2, b.getInt(0));
    assertEquals(1, b.getInt(4));
    assertEquals("100002 group1 127.0.0.2:23000\n", b.getString(8, b.length()));
    Buffer beyond = bytes(TrackerAnswers.storageIds(map.storages(), 5));
    assertEquals(8, beyond.length());
    assertEquals(0, beyond.getInt(4));
  }

  @Test
  void parametersAreNameValueLines() {
    String text = bytes(TrackerAnswers.parameters(Beats.options(0, 0, 0, 0))).toString();
    assertTrue(text.contains("use_storage_id=true\n"));
    assertTrue(text.contains("storage_sync_file_max_delay=86400\n"));
    assertTrue(text.contains("use_trunk_file=false\n"));
    assertTrue(text.lines().allMatch(l -> l.matches("[a-z_]+=.*")));
  }
}
