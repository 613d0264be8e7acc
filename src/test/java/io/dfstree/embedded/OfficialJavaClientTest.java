package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.SingleNodeServer;
import io.dfstree.protocol.StorageRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.csource.common.MyException;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.DownloadCallback;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.ProtoCommon;
import org.csource.fastdfs.ServerInfo;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.csource.fastdfs.StructGroupStat;
import org.csource.fastdfs.StructStorageStat;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java client 1.27 against the embedded node: every call of fastdfs-protocol.md
 * Appendix A that 1.27 has, one behaviour per test, checking bytes and values.
 */
class OfficialJavaClientTest extends SingleNodeTest {
  @TempDir Path tmp;

  static int crc32(byte[] data) {
    CRC32 c = new CRC32();
    c.update(data);
    return (int) c.getValue();
  }

  static String[] upload(byte[] data, String ext) throws Exception {
    String[] r = storage().upload_file(data, ext, null);
    assertNotNull(r, "upload failed");
    return r;
  }

  static String[] uploadAppender(byte[] data, String ext) throws Exception {
    String[] r = storage().upload_appender_file(data, ext, null);
    assertNotNull(r, "appender upload failed");
    return r;
  }

  static byte[] download(String[] file) throws Exception {
    StorageClient c = storage();
    byte[] back = c.download_file(file[0], file[1]);
    assertNotNull(back, "download failed with errno " + c.getErrorCode());
    return back;
  }

  static TrackerServer tracker() throws IOException {
    return new TrackerClient().getConnection();
  }

  // ---- upload ----

  @Test
  void uploadWithoutGroupReturnsGroupAnd44CharNameAndStoresTheBytes() throws Exception {
    byte[] data = random(300_000, 1); // past storage.packed.maxFileSize: a file of its own
    String[] r = upload(data, "jpg");
    assertEquals(GROUP, r[0]);
    assertEquals(44, r[1].length(), r[1]);
    assertTrue(r[1].matches("M00/[0-9A-F]{2}/[0-9A-F]{2}/[A-Za-z0-9_-]{27}\\d{3}\\.jpg"), r[1]);
    assertArrayEquals(data, download(r));
  }

  @Test
  void aSmallUploadGetsA60CharTrunkNameWhenPackedAndStoresTheBytes() throws Exception {
    boolean packed =
        server.config().getJsonObject("storage").getJsonObject("packed").getBoolean("enabled");
    byte[] data = random(10_000, 11);
    String[] r = upload(data, "jpg");
    assertEquals(GROUP, r[0]);
    // the trunk name: 16 more base64url characters (volume, offset, slot length) before the ext
    String pattern = packed ? "[A-Za-z0-9_-]{43}" : "[A-Za-z0-9_-]{27}";
    assertTrue(r[1].matches("M00/[0-9A-F]{2}/[0-9A-F]{2}/" + pattern + "\\d{3}\\.jpg"), r[1]);
    assertEquals(packed ? 60 : 44, r[1].length(), r[1]);
    assertArrayEquals(data, download(r));
  }

  @Test
  void uploadIntoANamedGroup() throws Exception {
    byte[] data = random(3000, 2);
    String[] r = storage().upload_file(GROUP, data, "txt", null);
    assertNotNull(r);
    assertEquals(GROUP, r[0]);
    assertTrue(r[1].endsWith(".txt"), r[1]);
    assertArrayEquals(data, download(r));
  }

  @Test
  void uploadIntoAnUnknownGroupFailsWithENOENT() {
    // 1.27 turns the tracker's refusal (104 -> ENOENT) into an exception naming the errno
    MyException e =
        assertThrows(
            MyException.class,
            () -> storage().upload_file("nosuchgroup", new byte[] {1, 2, 3}, "txt", null));
    assertTrue(e.getMessage().endsWith("errno code: 2"), e.getMessage());
  }

  @Test
  void uploadWithMetadataStoresItSortedByName() throws Exception {
    NameValuePair[] meta = {
      new NameValuePair("width", "1024"),
      new NameValuePair("author", "ann"),
      new NameValuePair("height", "768")
    };
    String[] r = storage().upload_file(random(500, 3), "png", meta);
    assertNotNull(r);
    NameValuePair[] back = storage().get_metadata(r[0], r[1]);
    assertNotNull(back);
    assertEquals("author=ann,height=768,width=1024", join(back));
  }

  @Test
  void uploadFromALocalFileTakesItsExtension() throws Exception {
    byte[] data = random(70_000, 4);
    Path local = tmp.resolve("photo.jpeg");
    Files.write(local, data);
    String[] r = storage().upload_file(local.toString(), null, null);
    assertNotNull(r);
    assertTrue(r[1].endsWith(".jpeg"), r[1]);
    assertArrayEquals(data, download(r));
  }

  @Test
  void uploadPartOfAByteArray() throws Exception {
    byte[] data = random(1000, 5);
    String[] r = storage().upload_file(data, 100, 300, "bin", null);
    assertNotNull(r);
    assertArrayEquals(Arrays.copyOfRange(data, 100, 400), download(r));
  }

  @Test
  void uploadWithAnUploadCallbackStreamsItsBytes() throws Exception {
    byte[] data = random(200_000, 6);
    String[] r =
        storage()
            .upload_file(
                GROUP,
                data.length,
                out -> {
                  for (int i = 0; i < data.length; i += 7000) {
                    out.write(data, i, Math.min(7000, data.length - i));
                  }
                  return 0;
                },
                "dat",
                null);
    assertNotNull(r);
    assertArrayEquals(data, download(r));
  }

  @Test
  void zeroByteFileUploadsAndDownloadsEmpty() throws Exception {
    String[] r = upload(new byte[0], "txt");
    FileInfo info = storage().get_file_info(r[0], r[1]);
    assertEquals(0, info.getFileSize());
    StorageClient c = storage();
    byte[] back = c.download_file(r[0], r[1]);
    assertNotNull(back, "errno " + c.getErrorCode());
    assertEquals(0, back.length);
  }

  // ---- appender family ----

  @Test
  void appenderUploadDownloadsItsContentAndIsNamedLikeANormalFile() throws Exception {
    byte[] data = random(5000, 7);
    String[] r = uploadAppender(data, "log");
    assertEquals(44, r[1].length());
    assertArrayEquals(data, download(r));
  }

  @Test
  void appendAddsToTheEnd() throws Exception {
    byte[] first = random(4000, 8);
    byte[] second = random(6000, 9);
    String[] r = uploadAppender(first, "log");
    assertEquals(0, storage().append_file(r[0], r[1], second));
    assertArrayEquals(RawClient.cat(first, second), download(r));
  }

  @Test
  void modifyOverwritesInPlaceAndMayExtend() throws Exception {
    byte[] data = random(1000, 10);
    String[] r = uploadAppender(data, "bin");
    byte[] patch = random(300, 11);
    assertEquals(0, storage().modify_file(r[0], r[1], 900, patch));
    byte[] expected = Arrays.copyOf(data, 1200);
    System.arraycopy(patch, 0, expected, 900, 300);
    assertArrayEquals(expected, download(r));
  }

  @Test
  void modifyBeyondTheEndIsRejectedWithEINVAL() throws Exception {
    String[] r = uploadAppender(random(100, 12), "bin");
    StorageClient c = storage();
    assertEquals(22, c.modify_file(r[0], r[1], 101, new byte[] {1}));
  }

  @Test
  void truncateToZeroEmptiesTheFile() throws Exception {
    String[] r = uploadAppender(random(3000, 13), "bin");
    assertEquals(0, storage().truncate_file(r[0], r[1]));
    assertEquals(0, download(r).length);
    assertEquals(0, storage().get_file_info(r[0], r[1]).getFileSize());
  }

  @Test
  void truncateToASmallerSizeKeepsThePrefix() throws Exception {
    byte[] data = random(3000, 14);
    String[] r = uploadAppender(data, "bin");
    assertEquals(0, storage().truncate_file(r[0], r[1], 1234));
    assertArrayEquals(Arrays.copyOf(data, 1234), download(r));
  }

  @Test
  void appendToANormalFileIsRejectedWithEINVAL() throws Exception {
    String[] r = upload(random(100, 15), "bin");
    assertEquals(22, storage().append_file(r[0], r[1], new byte[] {1, 2}));
  }

  @Test
  void fileInfoOfAnAppenderComesFromTheServerWithTheWholeContent() throws Exception {
    byte[] first = random(2500, 16);
    byte[] second = random(1500, 17);
    String[] r = uploadAppender(first, "log");
    assertEquals(0, storage().append_file(r[0], r[1], second));
    FileInfo info = storage().get_file_info(r[0], r[1]);
    assertNotNull(info);
    assertEquals(4000, info.getFileSize());
    assertEquals(crc32(RawClient.cat(first, second)), (int) info.getCrc32());
  }

  // ---- slave files ----

  @Test
  void slaveFileIsNamedAfterItsMasterAndHoldsItsOwnBytes() throws Exception {
    String[] master = upload(random(2000, 18), "jpg");
    byte[] thumb = random(300, 19);
    String[] slave = storage().upload_file(GROUP, master[1], "_150x150", thumb, "png", null);
    assertNotNull(slave);
    assertEquals(GROUP, slave[0]);
    String stem = master[1].substring(0, master[1].lastIndexOf('.'));
    assertEquals(stem + "_150x150.png", slave[1]);
    assertArrayEquals(thumb, download(slave));
    assertEquals(ProtoCommon.genSlaveFilename(master[1], "_150x150", "png"), slave[1]);
  }

  @Test
  void slaveOfAMissingMasterFailsWithENOENT() throws Exception {
    String[] master = upload(random(10, 20), "jpg");
    assertEquals(0, storage().delete_file(master[0], master[1]));
    StorageClient c = storage();
    String[] slave = c.upload_file(GROUP, master[1], "_s", new byte[] {1}, "png", null);
    assertNull(slave);
    assertEquals(2, c.getErrorCode());
  }

  // ---- download ----

  @Test
  void downloadByOffsetAndLength() throws Exception {
    byte[] data = random(10_000, 21);
    String[] r = upload(data, "bin");
    byte[] part = storage().download_file(r[0], r[1], 1000, 2345);
    assertArrayEquals(Arrays.copyOfRange(data, 1000, 3345), part);
  }

  @Test
  void downloadFromAnOffsetToTheEnd() throws Exception {
    byte[] data = random(10_000, 22);
    String[] r = upload(data, "bin");
    assertArrayEquals(
        Arrays.copyOfRange(data, 9000, 10_000), storage().download_file(r[0], r[1], 9000, 0));
  }

  @Test
  void downloadToALocalFile() throws Exception {
    byte[] data = random(300_000, 23);
    String[] r = upload(data, "bin");
    Path local = tmp.resolve("out.bin");
    assertEquals(0, storage().download_file(r[0], r[1], local.toString()));
    assertArrayEquals(data, Files.readAllBytes(local));
  }

  @Test
  void downloadToADownloadCallbackDeliversEveryByteWithTheFileSize() throws Exception {
    byte[] data = random(250_000, 24);
    String[] r = upload(data, "bin");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long[] announced = {-1};
    DownloadCallback cb =
        (fileSize, chunk, bytes) -> {
          announced[0] = fileSize;
          got.write(chunk, 0, bytes);
          return 0;
        };
    assertEquals(0, storage().download_file(r[0], r[1], cb));
    assertEquals(data.length, announced[0]);
    assertArrayEquals(data, got.toByteArray());
  }

  // ---- delete ----

  @Test
  void deletedFileCannotBeDownloadedAndReportsENOENT() throws Exception {
    String[] r = upload(random(100, 25), "bin");
    assertEquals(0, storage().delete_file(r[0], r[1]));
    StorageClient c = storage();
    assertNull(c.download_file(r[0], r[1]));
    assertEquals(2, c.getErrorCode());
  }

  @Test
  void deletingTwiceReportsENOENT() throws Exception {
    String[] r = upload(random(100, 26), "bin");
    assertEquals(0, storage().delete_file(r[0], r[1]));
    assertEquals(2, storage().delete_file(r[0], r[1]));
  }

  // ---- metadata ----

  @Test
  void setMetadataOverwriteReplacesEverything() throws Exception {
    String[] r =
        storage()
            .upload_file(
                random(10, 27),
                "bin",
                new NameValuePair[] {new NameValuePair("a", "1"), new NameValuePair("b", "2")});
    assertNotNull(r);
    assertEquals(
        0,
        storage()
            .set_metadata(
                r[0],
                r[1],
                new NameValuePair[] {new NameValuePair("z", "26"), new NameValuePair("c", "3")},
                ProtoCommon.STORAGE_SET_METADATA_FLAG_OVERWRITE));
    assertEquals("c=3,z=26", join(storage().get_metadata(r[0], r[1])));
  }

  @Test
  void setMetadataMergeKeepsOtherKeysAndReplacesNamedOnes() throws Exception {
    String[] r =
        storage()
            .upload_file(
                random(10, 28),
                "bin",
                new NameValuePair[] {new NameValuePair("b", "old"), new NameValuePair("d", "4")});
    assertNotNull(r);
    assertEquals(
        0,
        storage()
            .set_metadata(
                r[0],
                r[1],
                new NameValuePair[] {new NameValuePair("b", "new"), new NameValuePair("a", "1")},
                ProtoCommon.STORAGE_SET_METADATA_FLAG_MERGE));
    assertEquals("a=1,b=new,d=4", join(storage().get_metadata(r[0], r[1])));
  }

  @Test
  void getMetadataOfAFileWithoutMetadataIsNullWithENOENT() throws Exception {
    String[] r = upload(random(10, 29), "bin");
    StorageClient c = storage();
    assertNull(c.get_metadata(r[0], r[1]));
    assertEquals(2, c.getErrorCode());
  }

  @Test
  void setMetadataOnAMissingFileReportsENOENT() throws Exception {
    String[] r = upload(random(10, 30), "bin");
    assertEquals(0, storage().delete_file(r[0], r[1]));
    assertEquals(
        2,
        storage()
            .set_metadata(
                r[0],
                r[1],
                new NameValuePair[] {new NameValuePair("a", "1")},
                ProtoCommon.STORAGE_SET_METADATA_FLAG_OVERWRITE));
  }

  // ---- file info ----

  @Test
  void getFileInfoOfANormalFileDecodesSizeCrcAndTimeFromTheName() throws Exception {
    byte[] data = random(12_345, 31);
    long before = System.currentTimeMillis();
    String[] r = upload(data, "bin");
    FileInfo info = storage().get_file_info(r[0], r[1]);
    assertNotNull(info);
    assertEquals(12_345, info.getFileSize());
    assertEquals(crc32(data), (int) info.getCrc32());
    long created = info.getCreateTimestamp().getTime();
    assertTrue(Math.abs(created - before) < 5000, "create time " + created + " vs now " + before);
  }

  @Test
  void queryFileInfoAsksTheStorageAndAgreesWithTheName() throws Exception {
    byte[] data = random(4321, 32);
    String[] r = upload(data, "bin");
    FileInfo info = storage().query_file_info(r[0], r[1]);
    assertNotNull(info);
    assertEquals(4321, info.getFileSize());
    assertEquals(crc32(data), (int) info.getCrc32());
    assertTrue(Math.abs(info.getCreateTimestamp().getTime() - System.currentTimeMillis()) < 5000);
    assertEquals("127.0.0.1", info.getSourceIpAddr());
  }

  @Test
  void queryFileInfoOfAMissingFileIsNullWithENOENT() throws Exception {
    String[] r = upload(random(10, 33), "bin");
    assertEquals(0, storage().delete_file(r[0], r[1]));
    StorageClient c = storage();
    assertNull(c.query_file_info(r[0], r[1]));
    assertEquals(2, c.getErrorCode());
  }

  // ---- tracker queries ----

  @Test
  void getStoreStorageNamesTheStorageAndPath() throws Exception {
    TrackerServer t = tracker();
    try {
      StorageServer s = new TrackerClient().getStoreStorage(t);
      assertNotNull(s);
      assertEquals(server.storagePort(), s.getInetSocketAddress().getPort());
      assertEquals("127.0.0.1", s.getInetSocketAddress().getAddress().getHostAddress());
      assertEquals(0, s.getStorePathIndex());
      s.close();
    } finally {
      t.close();
    }
  }

  @Test
  void getStoreStorageForANamedGroup() throws Exception {
    TrackerServer t = tracker();
    try {
      StorageServer s = new TrackerClient().getStoreStorage(t, GROUP);
      assertNotNull(s);
      assertEquals(server.storagePort(), s.getInetSocketAddress().getPort());
      s.close();
      TrackerClient tc = new TrackerClient();
      assertNull(tc.getStoreStorage(t, "group9"));
      assertEquals(2, tc.getErrorCode());
    } finally {
      t.close();
    }
  }

  @Test
  void getStoreStoragesListsTheOneStorage() throws Exception {
    TrackerServer t = tracker();
    try {
      StorageServer[] all = new TrackerClient().getStoreStorages(t, GROUP);
      assertNotNull(all);
      assertEquals(1, all.length);
      assertEquals(server.storagePort(), all[0].getInetSocketAddress().getPort());
      assertEquals(0, all[0].getStorePathIndex());
      all[0].close();
      StorageServer[] anyGroup = new TrackerClient().getStoreStorages(t, null);
      assertNotNull(anyGroup);
      assertEquals(1, anyGroup.length);
      anyGroup[0].close();
    } finally {
      t.close();
    }
  }

  @Test
  void getFetchAndUpdateStorageNameTheStorage() throws Exception {
    String[] r = upload(random(10, 34), "bin");
    TrackerServer t = tracker();
    try {
      StorageServer fetch = new TrackerClient().getFetchStorage(t, r[0], r[1]);
      assertNotNull(fetch);
      assertEquals(server.storagePort(), fetch.getInetSocketAddress().getPort());
      fetch.close();
      StorageServer update = new TrackerClient().getUpdateStorage(t, r[0], r[1]);
      assertNotNull(update);
      assertEquals(server.storagePort(), update.getInetSocketAddress().getPort());
      update.close();
    } finally {
      t.close();
    }
  }

  @Test
  void getFetchStoragesListsTheOneStorage() throws Exception {
    String[] r = upload(random(10, 35), "bin");
    TrackerServer t = tracker();
    try {
      ServerInfo[] all = new TrackerClient().getFetchStorages(t, r[0], r[1]);
      assertNotNull(all);
      assertEquals(1, all.length);
      assertEquals("127.0.0.1", all[0].getIpAddr());
      assertEquals(server.storagePort(), all[0].getPort());
    } finally {
      t.close();
    }
  }

  @Test
  void listGroupsInTheLegacyLayout() throws Exception {
    TrackerServer t = tracker();
    try {
      StructGroupStat[] groups = new TrackerClient().listGroups(t);
      assertNotNull(groups);
      assertEquals(1, groups.length);
      StructGroupStat g = groups[0];
      assertEquals(GROUP, g.getGroupName());
      assertEquals(1, g.getStorageCount());
      assertEquals(1, g.getActiveCount());
      assertEquals(server.storagePort(), g.getStoragePort());
      assertEquals(1, g.getStorePathCount());
      assertEquals(16, g.getSubdirCountPerPath());
      assertTrue(g.getTotalMB() > 0 && g.getFreeMB() > 0 && g.getFreeMB() <= g.getTotalMB());
    } finally {
      t.close();
    }
  }

  @Test
  void listStoragesInTheLegacyLayout() throws Exception {
    TrackerServer t = tracker();
    try {
      StructStorageStat[] storages = new TrackerClient().listStorages(t, GROUP);
      assertNotNull(storages);
      assertEquals(1, storages.length);
      StructStorageStat s = storages[0];
      assertEquals(SingleNodeServer.STORAGE_ID, s.getId());
      assertEquals("127.0.0.1", s.getIpAddr());
      assertEquals(server.storagePort(), s.getStoragePort());
      assertEquals(ProtoCommon.FDFS_STORAGE_STATUS_ACTIVE, s.getStatus());
      assertEquals(7, s.getStatus());
      assertTrue(s.getTotalMB() > 0 && s.getFreeMB() > 0, s.getTotalMB() + "/" + s.getFreeMB());
      assertEquals(1, s.getStorePathCount());
      assertEquals(16, s.getSubdirCountPerPath());
      assertFalse(s.getVersion().isEmpty());
    } finally {
      t.close();
    }
  }

  @Test
  void listStoragesFilteredByIdAndUnknownGroup() throws Exception {
    TrackerServer t = tracker();
    try {
      TrackerClient tc = new TrackerClient();
      StructStorageStat[] one = tc.listStorages(t, GROUP, SingleNodeServer.STORAGE_ID);
      assertNotNull(one);
      assertEquals(1, one.length);
      assertEquals(SingleNodeServer.STORAGE_ID, one[0].getId());
      assertNull(tc.listStorages(t, "group9"));
      assertEquals(2, tc.getErrorCode());
    } finally {
      t.close();
    }
  }

  @Test
  void deleteStorageWhileActiveIsRefusedWithEBUSY() throws Exception {
    TrackerClient tc = new TrackerClient();
    assertFalse(tc.deleteStorage(GROUP, "127.0.0.1"));
    assertEquals(16, tc.getErrorCode());
    // and it stays in service
    assertArrayEquals(new byte[] {9}, download(upload(new byte[] {9}, "bin")));
  }

  // ---- connections ----

  @Test
  void activeTestOnTrackerAndStorageSockets() throws Exception {
    TrackerServer t = tracker();
    try {
      assertTrue(ProtoCommon.activeTest(t.getSocket()));
      StorageServer s = new TrackerClient().getStoreStorage(t);
      assertTrue(ProtoCommon.activeTest(s.getSocket()));
      assertTrue(ProtoCommon.activeTest(s.getSocket()), "connection kept after an active test");
      s.close();
    } finally {
      t.close();
    }
  }

  @Test
  void quitClosesOnlyThatConnection() throws Exception {
    TrackerServer t = tracker();
    Socket trackerSocket = t.getSocket();
    StorageServer s = new TrackerClient().getStoreStorage(t);
    Socket storageSocket = s.getSocket();
    ProtoCommon.closeSocket(storageSocket);
    ProtoCommon.closeSocket(trackerSocket);
    assertTrue(storageSocket.isClosed() && trackerSocket.isClosed());
    // both servers keep serving new connections
    TrackerServer again = tracker();
    try {
      assertTrue(ProtoCommon.activeTest(again.getSocket()));
      StorageServer s2 = new TrackerClient().getStoreStorage(again);
      assertTrue(ProtoCommon.activeTest(s2.getSocket()));
      s2.close();
    } finally {
      again.close();
    }
  }

  @Test
  void theServerClosesAfterQuitWithoutAnswering() throws Exception {
    try (RawClient raw = RawClient.open(server.storagePort(), 10_000)) {
      assertEquals(0, raw.call(new StorageRequest.ActiveTest()).status());
      try {
        RawClient.Reply a = raw.call(new StorageRequest.Quit());
        throw new AssertionError("QUIT was answered: status " + a.status());
      } catch (java.io.EOFException | java.net.SocketException expected) {
        // closed without a reply
      }
    }
  }

  static String join(NameValuePair[] pairs) {
    StringBuilder sb = new StringBuilder();
    for (NameValuePair p : pairs) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(p.getName()).append('=').append(p.getValue());
    }
    return sb.toString();
  }
}
