package io.dfstree.embedded;

import static io.dfstree.embedded.PackedNode.random;
import static io.dfstree.embedded.PackedNode.storage;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.SingleNodeServer;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code storage.packed.enabled}, the official Java client 1.27 sees small uploads come back
 * with 60-character trunk names and works on them exactly as on plain files: download (whole and
 * ranges), file info (decoded by the client, and asked of the server), metadata, delete, HTTP;
 * large files and appender files still get plain 44-character names.
 */
class PackedOfficialClientTest {
  static SingleNodeServer server;
  static int httpPort;

  @BeforeAll
  static void start() throws Exception {
    httpPort = io.dfstree.TestPorts.free();
    server = PackedNode.start(s -> s.put("fsync", true).put("httpPort", httpPort));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void smallUploadsArePackedAndReadLikePlainFiles() throws Exception {
    StorageClient c = storage();
    byte[] content = random(4096, 1);
    String[] r = c.upload_file(content, "jpg", null);
    assertNotNull(r, "upload failed, errno " + c.getErrorCode());
    assertEquals(FileName.TRUNK_NAME_LEN, r[1].length(), r[1]);
    TrunkId id = TrunkId.parse(r[1]);
    assertEquals(4096, id.fileSize());
    assertTrue(r[1].endsWith(".jpg"));

    assertArrayEquals(content, c.download_file(r[0], r[1]));
    assertArrayEquals(Arrays.copyOfRange(content, 100, 300), c.download_file(r[0], r[1], 100, 200));
    assertArrayEquals(
        Arrays.copyOfRange(content, 4000, 4096), c.download_file(r[0], r[1], 4000, 0));

    CRC32 crc = new CRC32();
    crc.update(content);
    FileInfo local = c.get_file_info(r[0], r[1]); // the client decodes the name itself
    assertEquals(4096, local.getFileSize());
    assertEquals(crc.getValue(), local.getCrc32() & 0xFFFFFFFFL);
    FileInfo asked = c.query_file_info(r[0], r[1]); // QUERY_FILE_INFO (22)
    assertNotNull(asked, "query_file_info errno " + c.getErrorCode());
    assertEquals(4096, asked.getFileSize());
    assertEquals(crc.getValue(), asked.getCrc32() & 0xFFFFFFFFL);
    assertEquals(id.createTime(), asked.getCreateTimestamp().getTime() / 1000);

    assertEquals(
        0,
        c.set_metadata(
            r[0], r[1], new NameValuePair[] {new NameValuePair("width", "640")}, (byte) 'O'));
    NameValuePair[] meta = c.get_metadata(r[0], r[1]);
    assertNotNull(meta, "get_metadata errno " + c.getErrorCode());
    assertEquals("640", meta[0].getValue());

    HttpResponse<byte[]> http =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/" + r[0] + "/" + r[1]))
                    .timeout(Duration.ofSeconds(20))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, http.statusCode());
    assertArrayEquals(content, http.body());

    assertEquals(0, c.delete_file(r[0], r[1]));
    assertNull(c.download_file(r[0], r[1]));
    assertEquals(2, c.getErrorCode(), "ENOENT after delete");
    assertNull(c.query_file_info(r[0], r[1]));
    assertNull(c.get_metadata(r[0], r[1]));
    assertEquals(2, c.delete_file(r[0], r[1]));
  }

  @Test
  void manySmallFilesAcrossVolumesAndAnEmptyOne() throws Exception {
    StorageClient c = storage();
    String[][] names = new String[40][];
    for (int i = 0; i < names.length; i++) {
      names[i] = c.upload_file(random(50_000, 100 + i), "", null); // 1M volumes: several of them
      assertNotNull(names[i], "errno " + c.getErrorCode());
    }
    assertNotEquals(TrunkId.parse(names[0][1]).volume(), TrunkId.parse(names[39][1]).volume());
    for (int i = 0; i < names.length; i++) {
      assertArrayEquals(random(50_000, 100 + i), c.download_file(names[i][0], names[i][1]));
    }
    String[] empty = c.upload_file(new byte[0], "txt", null);
    assertEquals(60, empty[1].length());
    assertArrayEquals(new byte[0], c.download_file(empty[0], empty[1]));
  }

  @Test
  void largeAndAppenderFilesStayPlain() throws Exception {
    StorageClient c = storage();
    byte[] large = random(65 * 1024 + 1, 2);
    String[] r = c.upload_file(large, "bin", null);
    assertEquals(FileName.NORMAL_NAME_LEN, r[1].length(), r[1]);
    assertArrayEquals(large, c.download_file(r[0], r[1]));

    String[] a = c.upload_appender_file(random(100, 3), "log", null);
    assertEquals(FileName.NORMAL_NAME_LEN, a[1].length(), a[1]);
    assertTrue(FileName.decode(a[1]).appender());
    assertEquals(0, c.append_file(a[0], a[1], random(50, 4)));
    assertEquals(150, c.download_file(a[0], a[1]).length);
  }
}
