package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.TrackerRequest;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.ProtoCommon;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;

/** Error paths and limits of §1–§5, through the Java client where it can express them, else raw. */
class ProtocolEdgeCasesTest extends SingleNodeTest {
  static String[] upload(byte[] data, String ext) throws Exception {
    String[] r = storage().upload_file(data, ext, null);
    assertNotNull(r);
    return r;
  }

  @Test
  void unknownCommandIsEINVALAndTheConnectionStays() throws Exception {
    for (int port : new int[] {server.trackerPort(), server.storagePort()}) {
      try (RawClient c = RawClient.open(port, 10_000)) {
        RawClient.Reply a = c.callRaw(200, new byte[0]);
        assertEquals(100, a.cmd());
        assertEquals(22, a.status());
        assertEquals(0, a.body().length);
        assertEquals(0, c.call(new StorageRequest.ActiveTest()).status());
      }
    }
  }

  @Test
  void activeTestWithABodyIsEINVAL() throws Exception {
    for (int port : new int[] {server.trackerPort(), server.storagePort()}) {
      try (RawClient c = RawClient.open(port, 10_000)) {
        assertEquals(22, c.callRaw(111, new byte[] {1}).status(), "port " + port);
      }
    }
  }

  @Test
  void downloadLengthBeyondTheEndIsClamped() throws Exception {
    byte[] data = random(1000, 1);
    String[] r = upload(data, "bin");
    assertArrayEquals(
        Arrays.copyOfRange(data, 900, 1000), storage().download_file(r[0], r[1], 900, 5000));
  }

  @Test
  void downloadAtOrBeyondTheEndIsEINVAL() throws Exception {
    // the 6.15.4+ rule (fastdfs-protocol.md §3.4): offset >= size is EINVAL, except a 0-byte file
    // at 0
    String[] r = upload(random(1000, 2), "bin");
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      assertEquals(22, s.call(new StorageRequest.Download(1000, 0, r[0], r[1], false)).status());
      assertEquals(22, s.call(new StorageRequest.Download(1001, 0, r[0], r[1], false)).status());
      assertEquals(22, s.call(new StorageRequest.Download(-1, 0, r[0], r[1], false)).status());
      assertEquals(1, s.call(new StorageRequest.Download(999, 0, r[0], r[1], false)).body().length);
    }
  }

  @Test
  void aRejectedUploadDoesNotLeaveItsContentToBeReadAsTheNextRequest() throws Exception {
    // a bad extension is found before the 1 MiB of content has been read
    // content that, mis-read as requests, is 100,000 ACTIVE_TEST packets with their own answers
    byte[] content = new byte[1_000_000];
    for (int i = 8; i < content.length; i += 10) {
      content[i] = 111;
    }
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply a =
          s.call(new StorageRequest.Upload(false, -1, content.length, "a/b"), content);
      assertEquals(22, a.status());
      assertEquals(0, a.body().length);
      RawClient.Reply next;
      try {
        next =
            s.callRaw(
                200, new byte[0]); // unknown command: must be answered EINVAL, not by a stale 0
      } catch (java.io.IOException closed) {
        next = null; // closing after the error is allowed
      }
      if (next != null) {
        assertEquals(22, next.status());
      }
    }
    try (RawClient again = RawClient.open(server.storagePort(), 10_000)) {
      assertEquals(0, again.call(new StorageRequest.ActiveTest()).status());
    }
  }

  @Test
  void storageRejectsAnotherGroupNameWithEINVAL() throws Exception {
    String[] r = upload(random(10, 3), "bin");
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      assertEquals(22, s.call(new StorageRequest.Download(0, 0, "group2", r[1], false)).status());
    }
  }

  @Test
  void illegalExtensionIsEINVAL() throws Exception {
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply a =
          s.call(new StorageRequest.Upload(false, -1, 3, "j/g"), new byte[] {1, 2, 3});
      assertEquals(22, a.status());
      assertEquals(0, a.body().length);
    }
  }

  @Test
  void uploadToAStorePathThatDoesNotExistIsRefused() throws Exception {
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply a =
          s.call(new StorageRequest.Upload(false, 5, 3, "txt"), new byte[] {1, 2, 3});
      assertEquals(22, a.status());
      assertEquals(0, a.body().length);
    }
  }

  @Test
  void slaveUploadedTwiceIsEEXIST() throws Exception {
    String[] master = upload(random(100, 4), "jpg");
    assertNotNull(storage().upload_file(GROUP, master[1], "_t", new byte[] {1}, "jpg", null));
    StorageClient c = storage();
    assertNull(c.upload_file(GROUP, master[1], "_t", new byte[] {2}, "jpg", null));
    assertEquals(17, c.getErrorCode());
  }

  @Test
  void slaveFileInfoComesFromTheServer() throws Exception {
    String[] master = upload(random(100, 5), "jpg");
    byte[] data = random(777, 6);
    String[] slave = storage().upload_file(GROUP, master[1], "_m", data, "png", null);
    assertNotNull(slave);
    FileInfo info = storage().get_file_info(slave[0], slave[1]);
    assertNotNull(info);
    assertEquals(777, info.getFileSize());
    CRC32 crc = new CRC32();
    crc.update(data);
    assertEquals((int) crc.getValue(), (int) info.getCrc32());
  }

  @Test
  void deletingAFileDeletesItsMetadata() throws Exception {
    String[] r =
        storage()
            .upload_file(random(10, 7), "bin", new NameValuePair[] {new NameValuePair("a", "1")});
    assertNotNull(r);
    assertEquals(0, storage().delete_file(r[0], r[1]));
    StorageClient c = storage();
    assertNull(c.get_metadata(r[0], r[1]));
    assertEquals(2, c.getErrorCode());
  }

  @Test
  void overwriteWithNoMetadataRemovesIt() throws Exception {
    String[] r =
        storage()
            .upload_file(random(10, 8), "bin", new NameValuePair[] {new NameValuePair("a", "1")});
    assertNotNull(r);
    assertEquals(
        0,
        storage()
            .set_metadata(
                r[0], r[1], new NameValuePair[0], ProtoCommon.STORAGE_SET_METADATA_FLAG_OVERWRITE));
    StorageClient c = storage();
    assertNull(c.get_metadata(r[0], r[1]));
    assertEquals(2, c.getErrorCode());
  }

  @Test
  void longMetadataNamesAndValuesAreTruncatedTo64And256() throws Exception {
    String name = "n".repeat(100);
    String value = "v".repeat(400);
    String[] r =
        storage()
            .upload_file(
                random(10, 9), "bin", new NameValuePair[] {new NameValuePair(name, value)});
    assertNotNull(r);
    NameValuePair[] back = storage().get_metadata(r[0], r[1]);
    assertNotNull(back);
    assertEquals(1, back.length);
    assertEquals("n".repeat(64), back[0].getName());
    assertEquals("v".repeat(256), back[0].getValue());
  }

  @Test
  void setMetadataWithAnUnknownFlagIsEINVAL() throws Exception {
    String[] r = upload(random(10, 10), "bin");
    assertEquals(
        22,
        storage()
            .set_metadata(
                r[0], r[1], new NameValuePair[] {new NameValuePair("a", "1")}, (byte) 'X'));
  }

  @Test
  void truncateToTheSameSizeIsANoOp() throws Exception {
    byte[] data = random(500, 11);
    String[] r = storage().upload_appender_file(data, "bin", null);
    assertNotNull(r);
    assertEquals(0, storage().truncate_file(r[0], r[1], 500));
    assertArrayEquals(data, storage().download_file(r[0], r[1]));
  }

  @Test
  void emptyAppenderAcceptsAppends() throws Exception {
    String[] r = storage().upload_appender_file(new byte[0], "bin", null);
    assertNotNull(r);
    byte[] more = random(100, 12);
    assertEquals(0, storage().append_file(r[0], r[1], more));
    assertEquals(0, storage().append_file(r[0], r[1], new byte[0]));
    assertArrayEquals(more, storage().download_file(r[0], r[1]));
  }

  @Test
  void bigFileStreamsBothWays() throws Exception {
    byte[] data = random(6 << 20, 13);
    String[] r = upload(data, "big");
    assertArrayEquals(data, storage().download_file(r[0], r[1]));
  }

  @Test
  void trackerFetchQueryForAnUnknownGroupIsENOENT() throws Exception {
    String[] r = upload(random(10, 14), "bin");
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      assertEquals(2, t.call(new TrackerRequest.QueryFetch("group9", r[1], false)).status());
      assertEquals(2, t.call(new TrackerRequest.QueryUpdate("group9", r[1])).status());
      RawClient.Reply a = t.call(new TrackerRequest.QueryFetch(GROUP, r[1], false));
      assertEquals(0, a.status());
      assertEquals(39, a.body().length);
    }
  }

  @Test
  void queryFileInfoHonoursTheNoCrcFlagForAppenders() throws Exception {
    String[] r = storage().upload_appender_file(random(100, 15), "bin", null);
    assertNotNull(r);
    try (RawClient s = RawClient.open(server.storagePort(), 10_000)) {
      RawClient.Reply noCrc = s.call(new StorageRequest.QueryFileInfo(GROUP, r[1], true));
      assertEquals(0, noCrc.status());
      assertEquals(40, noCrc.body().length);
      assertEquals(100, noCrc.longAt(0));
      assertEquals(0, noCrc.longAt(16));
      RawClient.Reply withCrc = s.call(new StorageRequest.QueryFileInfo(GROUP, r[1], false));
      assertTrue(withCrc.longAt(16) != 0);
    }
  }

  @Test
  void listGroupsWithABodyIsEINVAL() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      assertEquals(22, t.callRaw(91, new byte[] {1}).status());
      assertEquals(0, t.call(new TrackerRequest.ListGroups()).status());
    }
  }

  /** Past storage.packed.maxFileSize: a file of its own with a 44-character name. */
  static final int PLAIN_SIZE = 300 * 1024;

  @Test
  void slaveOfAMasterWithADottedExtensionFollowsTheJavaHelper() throws Exception {
    // small: a packed (60-character) master when packing is on, else a 44-character one
    String[] master = upload(random(10, 16), "tar.gz");
    String m = master[1];
    assertTrue(m.endsWith(".tar.gz") && (m.length() == 44 || m.length() == 60), m);
    String[] slave = storage().upload_file(GROUP, m, "_x", new byte[] {7}, "png", null);
    assertNotNull(slave);
    assertEquals(ProtoCommon.genSlaveFilename(m, "_x", "png"), slave[1]);
    assertEquals(m.substring(0, m.length() - ".tar.gz".length()) + "_x.png", slave[1]);
    assertArrayEquals(new byte[] {7}, storage().download_file(slave[0], slave[1]));
  }

  @Test
  void slaveWithAShortPrefixAndNoExtensionIsStored() throws Exception {
    for (int size : new int[] {10, PLAIN_SIZE}) {
      String[] master = upload(random(size, 20), "jpg");
      String[] slave = storage().upload_file(GROUP, master[1], "_s", new byte[] {5}, null, null);
      assertNotNull(slave, "slave of " + master[1]);
      assertEquals(master[1].substring(0, master[1].length() - 4) + "_s", slave[1]);
      assertArrayEquals(new byte[] {5}, storage().download_file(slave[0], slave[1]));
    }
  }

  @Test
  void slaveWithoutAnExtensionHasNone() throws Exception {
    // a 44-character master: "_raw" fills its extension part exactly
    String[] master = upload(random(PLAIN_SIZE, 17), "jpg");
    assertEquals(44, master[1].length(), master[1]);
    String[] slave = storage().upload_file(GROUP, master[1], "_raw", new byte[] {7, 8}, null, null);
    assertNotNull(slave);
    assertEquals(master[1].substring(0, master[1].length() - 4) + "_raw", slave[1]);
    assertArrayEquals(new byte[] {7, 8}, storage().download_file(slave[0], slave[1]));
  }

  @Test
  void nonAsciiMetadataRoundTripsAsUtf8() throws Exception {
    String charset = ClientGlobal.g_charset;
    ClientGlobal.g_charset = "UTF-8";
    try {
      String[] r =
          storage()
              .upload_file(
                  random(10, 18),
                  "bin",
                  new NameValuePair[] {new NameValuePair("título", "über 東京")});
      assertNotNull(r);
      NameValuePair[] back = storage().get_metadata(r[0], r[1]);
      assertNotNull(back);
      assertEquals("título", back[0].getName());
      assertEquals("über 東京", back[0].getValue());
    } finally {
      ClientGlobal.g_charset = charset;
    }
  }

  @Test
  void fetchAllForAnAppenderNamesItsSource() throws Exception {
    String[] app = storage().upload_appender_file(random(10, 19), "bin", null);
    assertNotNull(app);
    org.csource.fastdfs.TrackerServer t = new org.csource.fastdfs.TrackerClient().getConnection();
    try {
      org.csource.fastdfs.ServerInfo[] all =
          new org.csource.fastdfs.TrackerClient().getFetchStorages(t, app[0], app[1]);
      assertNotNull(all);
      assertEquals(1, all.length);
      assertEquals(server.storagePort(), all[0].getPort());
    } finally {
      t.close();
    }
  }
}
