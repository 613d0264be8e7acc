package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.SingleNodeServer;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.TrackerRequest;
import java.util.Random;
import java.util.zip.CRC32;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;

/**
 * Commands the Java client 1.27 cannot send, spoken over a bare socket: 69 FETCH_STORAGE_IDS on the
 * tracker and 38 REGENERATE_APPENDER_FILENAME on the storage.
 */
class RawProtocolTest extends SingleNodeTest {
  static final int FETCH_STORAGE_IDS = 69;
  static final int REGENERATE = 38;

  String expectedIdLine() {
    return SingleNodeServer.STORAGE_ID
        + " "
        + SingleNodeServer.GROUP
        + " 127.0.0.1:"
        + server.storagePort()
        + "\n";
  }

  // ---- 69 FETCH_STORAGE_IDS ----

  @Test
  void fetchStorageIdsWithTheFiveByteBodyListsTheStorage() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply a = t.call(new TrackerRequest.FetchStorageIds(0, true));
      assertEquals(RawClient.RESP, a.cmd());
      assertEquals(0, a.status());
      assertEquals(1, a.intAt(0), "total");
      assertEquals(1, a.intAt(4), "current");
      assertEquals(expectedIdLine(), a.text(8));
    }
  }

  @Test
  void fetchStorageIdsWithTheOldFourByteBodyGivesTheSameAnswer() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply a = t.call(new TrackerRequest.FetchStorageIds(0, null));
      assertEquals(0, a.status());
      assertEquals(1, a.intAt(0));
      assertEquals(1, a.intAt(4));
      assertEquals(expectedIdLine(), a.text(8));
    }
  }

  @Test
  void fetchStorageIdsPastTheEndGivesTheTotalAndNoLines() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply a = t.call(new TrackerRequest.FetchStorageIds(1, true));
      assertEquals(0, a.status());
      assertEquals(8, a.body().length);
      assertEquals(1, a.intAt(0));
      assertEquals(0, a.intAt(4));
    }
  }

  @Test
  void fetchStorageIdsWithAWrongLengthIsEINVALAndKeepsTheConnection() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply bad = t.callRaw(FETCH_STORAGE_IDS, new byte[3]);
      assertEquals(22, bad.status());
      assertEquals(0, bad.body().length);
      assertEquals(0, t.call(new TrackerRequest.ActiveTest()).status(), "connection still usable");
    }
  }

  // ---- 38 REGENERATE_APPENDER_FILENAME ----

  @Test
  void regenerateSealsAnAppenderUnderANormalNameWithRealSizeAndCrc() throws Exception {
    byte[] first = random(3000, 1);
    byte[] second = random(2000, 2);
    StorageClient c = new StorageClient(null, null);
    String[] app =
        c.upload_appender_file(first, "log", new NameValuePair[] {new NameValuePair("k", "v")});
    assertNotNull(app);
    assertEquals(0, new StorageClient(null, null).append_file(app[0], app[1], second));
    byte[] whole = RawClient.cat(first, second);

    RawClient.Reply a;
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      a = s.call(new StorageRequest.RegenerateAppenderName(app[1]));
    }
    assertEquals(0, a.status());
    assertEquals(SingleNodeServer.GROUP, a.fixedAt(0, 16));
    String renamed = a.text(16);
    assertEquals(44, renamed.length(), renamed);
    assertEquals(app[1].substring(0, 10), renamed.substring(0, 10), "same Mxx/HH/HH/ prefix");
    assertTrue(renamed.endsWith(".log"), renamed);
    assertNotEquals(app[1], renamed);

    FileName.Decoded d = FileName.decode(renamed);
    assertFalse(d.appender());
    assertFalse(d.slave());
    assertEquals(whole.length, d.fileSize());
    CRC32 crc = new CRC32();
    crc.update(whole);
    assertEquals(crc.getValue(), d.crc32Unsigned());
    assertEquals(Integer.parseInt(SingleNodeServer.STORAGE_ID), d.sourceId());
    assertTrue(Math.abs(d.createTime() - System.currentTimeMillis() / 1000) < 5);

    StorageClient reader = new StorageClient(null, null);
    assertArrayEquals(whole, reader.download_file(app[0], renamed));
    NameValuePair[] meta = reader.get_metadata(app[0], renamed);
    assertNotNull(meta, "metadata moved with the file");
    assertEquals(1, meta.length);
    assertEquals("k", meta[0].getName());
    assertEquals("v", meta[0].getValue());

    StorageClient old = new StorageClient(null, null);
    assertNull(old.download_file(app[0], app[1]), "old name is gone");
    assertEquals(2, old.getErrorCode());
    assertNull(old.get_metadata(app[0], app[1]), "old metadata is gone");
    assertEquals(2, old.getErrorCode());
  }

  @Test
  void regenerateANormalFileIsEINVAL() throws Exception {
    String[] r = new StorageClient(null, null).upload_file(random(10, 3), "bin", null);
    assertNotNull(r);
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply a = s.call(new StorageRequest.RegenerateAppenderName(r[1]));
      assertEquals(22, a.status());
      assertEquals(0, a.body().length);
    }
  }

  @Test
  void regenerateAMissingAppenderIsENOENT() throws Exception {
    StorageClient c = new StorageClient(null, null);
    String[] app = c.upload_appender_file(random(10, 4), "bin", null);
    assertNotNull(app);
    assertEquals(0, c.delete_file(app[0], app[1]));
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply a = s.call(new StorageRequest.RegenerateAppenderName(app[1]));
      assertEquals(2, a.status());
      assertEquals(0, a.body().length);
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
