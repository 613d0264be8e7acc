package io.dfstree.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.api.StorageCounters;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.GroupStat;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.StorageStatus;
import java.net.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding of crafted answers: both IP widths, both list layouts, errors and malformed bodies. */
class ResponseDecoderTest {

  @Test
  void successHeaderGivesBodyLength() throws Exception {
    ResponseDecoder.ResponseHeader h =
        ResponseDecoder.header(Bytes.of().header(40, 100, 0).bytes());
    assertEquals(40, h.bodyLength());
    assertEquals(0, h.status());
    ResponseDecoder.checkStatus(h, "anything");
  }

  @Test
  void errorStatusBecomesFdfsExceptionWithErrnoAndContext() throws Exception {
    ResponseDecoder.ResponseHeader h = ResponseDecoder.header(Bytes.of().header(0, 100, 2).bytes());
    FdfsException e =
        assertThrows(FdfsException.class, () -> ResponseDecoder.checkStatus(h, "download g/x"));
    assertEquals(Errno.ENOENT, e.errno());
    assertEquals("download g/x", e.getMessage());
  }

  @Test
  void wrongResponseCommandIsAProtocolError() {
    assertThrows(
        ProtocolException.class, () -> ResponseDecoder.header(Bytes.of().header(0, 11, 0).bytes()));
    assertThrows(
        ProtocolException.class,
        () -> ResponseDecoder.header(Bytes.of().header(-1, 100, 0).bytes()));
  }

  @Test
  void storeTargetInIpv4Width() throws Exception {
    byte[] body = Bytes.of().fixed("group1", 16).fixed("192.168.1.5", 15).i64(23000).u8(3).bytes();
    assertEquals(40, body.length);
    assertEquals(
        new StorageAddress("group1", "192.168.1.5", 23000, 3), TrackerSession.storeAddress(body));
  }

  @Test
  void storeTargetInIpv6Width() throws Exception {
    byte[] body = Bytes.of().fixed("g2", 16).fixed("fe80::1", 45).i64(23001).u8(0).bytes();
    assertEquals(70, body.length);
    assertEquals(new StorageAddress("g2", "fe80::1", 23001, 0), TrackerSession.storeAddress(body));
  }

  @Test
  void storeTargetOfOtherLengthIsRejected() {
    assertThrows(ProtocolException.class, () -> TrackerSession.storeAddress(new byte[39]));
  }

  @Test
  void fetchTargetHasNoPathIndex() throws Exception {
    byte[] body = Bytes.of().fixed("group1", 16).fixed("10.0.0.7", 15).i64(23000).bytes();
    assertEquals(
        new StorageAddress("group1", "10.0.0.7", 23000, StorageAddress.ANY_PATH),
        TrackerSession.fetchAddress(body));
    byte[] wide = Bytes.of().fixed("group1", 16).fixed("10.0.0.7", 45).i64(23000).bytes();
    assertEquals("10.0.0.7", TrackerSession.fetchAddress(wide).host());
    assertThrows(ProtocolException.class, () -> TrackerSession.fetchAddress(new byte[40]));
  }

  @Test
  void storedFileIsGroupThenName() throws Exception {
    String name = "M00/00/00/wKgBaF1234AbCdEfGhIjKlMnOpQ419.jpg";
    StoredFile f = ResponseDecoder.storedFile(Bytes.of().fixed("group1", 16).text(name).bytes());
    assertEquals("group1/" + name, f.fileId());
    assertThrows(ProtocolException.class, () -> ResponseDecoder.storedFile(new byte[16]));
  }

  @Test
  void fileInfoBothWidthsAndUnsignedCrc() throws Exception {
    byte[] body =
        Bytes.of().i64(7305).i64(1585823425).i64(0xCBFD27CFL).fixed("172.16.4.253", 16).bytes();
    assertEquals(
        new StoredFileInfo(7305, 1585823425, 3422365647L, "172.16.4.253"),
        ResponseDecoder.fileInfo(body));
    byte[] wide = Bytes.of().i64(1).i64(2).i64(3).fixed("::1", 46).bytes();
    assertEquals("::1", ResponseDecoder.fileInfo(wide).sourceIp());
    assertThrows(ProtocolException.class, () -> ResponseDecoder.fileInfo(new byte[41]));
  }

  static Bytes modernGroup(Bytes b, String name, long seed) {
    b.fixed(name, 17);
    for (int i = 0; i < 12; i++) {
      b.i64(seed + i);
    }
    return b;
  }

  @Test
  void modernGroupRecords() throws Exception {
    byte[] body = modernGroup(modernGroup(Bytes.of(), "group1", 100), "group2", 200).bytes();
    assertEquals(2 * GroupStat.MODERN_SIZE, body.length);
    List<GroupStat> groups = TrackerSession.groupStats(body);
    assertEquals(2, groups.size());
    GroupStat g = groups.get(1);
    assertEquals("group2", g.name());
    assertEquals(200, g.totalMb());
    assertEquals(201, g.freeMb());
    assertEquals(202, g.reservedMb());
    assertEquals(203, g.trunkFreeMb());
    assertEquals(204, g.storageCount());
    assertEquals(205, g.storagePort());
    assertEquals(206, g.readableCount());
    assertEquals(207, g.writableCount());
    assertEquals(211, g.currentTrunkFileId());
    assertEquals(-1, g.activeCount());
    assertFalse(g.legacyLayout());
  }

  @Test
  void legacyGroupRecord() throws Exception {
    Bytes b = Bytes.of().fixed("group1", 17);
    for (int i = 0; i < 11; i++) {
      b.i64(10 + i);
    }
    List<GroupStat> groups = TrackerSession.groupStats(b.bytes());
    GroupStat g = groups.get(0);
    assertTrue(g.legacyLayout());
    assertEquals(10, g.totalMb());
    assertEquals(11, g.freeMb());
    assertEquals(12, g.trunkFreeMb());
    assertEquals(13, g.storageCount());
    assertEquals(14, g.storagePort());
    assertEquals(15, g.storageHttpPort());
    assertEquals(16, g.activeCount());
    assertEquals(20, g.currentTrunkFileId());
    assertEquals(-1, g.reservedMb());
  }

  @Test
  void emptyGroupListAndBadLength() throws Exception {
    assertTrue(TrackerSession.groupStats(new byte[0]).isEmpty());
    assertThrows(ProtocolException.class, () -> TrackerSession.groupStats(new byte[100]));
  }

  /** The 348-byte statistics buffer and trunk flag shared by both layouts. */
  static Bytes statBuffer(Bytes b, long counterBase) {
    b.i32(1).i32(2).i32(3);
    for (int i = 0; i < StorageCounters.COUNT; i++) {
      b.i64(counterBase + i);
    }
    return b.i64(1001).i64(1002).i64(1003).i64(1004).u8(1);
  }

  static Bytes modernStorage(Bytes b, String id, int ipWidth) {
    b.u8(7).u8(6).fixed(id, 16).fixed("127.0.0.1", ipWidth).fixed("", 16).fixed("6.16.1", 8);
    for (int i = 0; i < 10; i++) {
      b.i64(50 + i);
    }
    return statBuffer(b, 5000);
  }

  @Test
  void modernStorageRecords() throws Exception {
    byte[] body = modernStorage(modernStorage(Bytes.of(), "100001", 16), "100002", 16).bytes();
    assertEquals(2 * StorageStat.MODERN_SIZE, body.length);
    List<StorageStat> list = TrackerSession.storageStats(body);
    assertEquals(2, list.size());
    StorageStat s = list.get(1);
    assertEquals("100002", s.id());
    assertEquals(StorageStatus.ACTIVE, s.status());
    assertEquals(6, s.rwMode());
    assertEquals("127.0.0.1", s.ip());
    assertEquals("6.16.1", s.version());
    assertEquals(50, s.joinTime());
    assertEquals(52, s.totalMb());
    assertEquals(53, s.freeMb());
    assertEquals(54, s.reservedMb());
    assertEquals(59, s.storagePort());
    assertEquals(3, s.connectionMaxCount());
    assertEquals(
        5000 + StorageCounters.SUCCESS_DOWNLOAD, s.counter(StorageCounters.SUCCESS_DOWNLOAD));
    assertEquals(1004, s.lastHeartbeatTime());
    assertTrue(s.trunkServer());
    assertFalse(s.legacyLayout());
  }

  @Test
  void modernStorageRecordWithIpv6Width() throws Exception {
    byte[] body = modernStorage(Bytes.of(), "s1", 46).bytes();
    assertEquals(StorageStat.MODERN_IPV6_SIZE, body.length);
    StorageStat s = TrackerSession.storageStats(body).get(0);
    assertEquals("127.0.0.1", s.ip());
    assertEquals(1004, s.lastHeartbeatTime());
  }

  @Test
  void legacyStorageRecord() throws Exception {
    Bytes b =
        Bytes.of()
            .u8(5)
            .fixed("192.168.0.9", 16)
            .fixed("192.168.0.9", 16)
            .fixed("store.example", 128)
            .fixed("192.168.0.8", 16)
            .fixed("5.11", 6);
    for (int i = 0; i < 10; i++) {
      b.i64(70 + i);
    }
    byte[] body = statBuffer(b, 9000).bytes();
    assertEquals(StorageStat.LEGACY_SIZE, body.length);
    StorageStat s = TrackerSession.storageStats(body).get(0);
    assertTrue(s.legacyLayout());
    assertEquals(StorageStatus.OFFLINE, s.status());
    assertEquals("store.example", s.domainName());
    assertEquals("192.168.0.8", s.sourceId());
    assertEquals("5.11", s.version());
    assertEquals(72, s.totalMb());
    assertEquals(73, s.freeMb());
    assertEquals(78, s.storagePort());
    assertEquals(79, s.httpPort());
    assertEquals(-1, s.rwMode());
    assertEquals(9000 + StorageCounters.TOTAL_UPLOAD, s.counter(StorageCounters.TOTAL_UPLOAD));
    assertEquals(1004, s.lastHeartbeatTime());
  }

  @Test
  void storageListOfUnknownRecordSizeIsRejected() {
    assertThrows(ProtocolException.class, () -> TrackerSession.storageStats(new byte[500]));
  }
}
