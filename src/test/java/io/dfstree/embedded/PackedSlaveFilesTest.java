package io.dfstree.embedded;

import static io.dfstree.embedded.PackedNode.random;
import static io.dfstree.embedded.PackedNode.storage;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.SingleNodeServer;
import io.dfstree.cli.Main;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.ProtoCommon;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slave files of packed masters, through the official Java client 1.27, as FastDFS does them with
 * trunk masters (storage_service.c {@code storage_upload_slave_file}, {@code
 * fdfs_gen_slave_filename}): the slave's name is the 60-character trunk name up to its extension
 * dot, the prefix, the extension; the slave is a file of its own under the master's {@code HH/HH}
 * directories, however small; a name is a trunk name only when it is 60 characters long and carries
 * the trunk flag, so the one slave length that would read as a trunk name is refused.
 */
class PackedSlaveFilesTest {
  static SingleNodeServer server;

  @BeforeAll
  static void start() throws Exception {
    server = PackedNode.start(s -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  static String info(String fileId) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            new String[] {"info", fileId, "--tracker", server.trackerAddress()});
    assertEquals(0, code, err.toString());
    return out.toString().replace("\r", "");
  }

  /** Where a file of its own with this remote name lies on disk. */
  static Path plainPath(String remoteName) {
    return server
        .dataDir()
        .resolve("store0")
        .resolve("data")
        .resolve(remoteName.substring(4, 6))
        .resolve(remoteName.substring(7, 9))
        .resolve(remoteName.substring(10));
  }

  String[] packedMaster(byte[] content, String ext) throws Exception {
    String[] m = storage().upload_file(content, ext, null);
    assertNotNull(m);
    assertEquals(FileName.TRUNK_NAME_LEN, m[1].length(), m[1]);
    assertTrue(TrunkId.isTrunkName(m[1]), m[1]);
    return m;
  }

  @Test
  void aSlaveOfAPackedMasterIsNamedAsTheClientDerivesItAndStoredAsAFileOfItsOwn()
      throws Exception {
    byte[] masterBytes = random(3000, 1);
    byte[] slaveBytes = random(700, 2);
    String[] m = packedMaster(masterBytes, "jpg");
    StorageClient c = storage();
    String[] s = c.upload_file(m[0], m[1], "_150x150", slaveBytes, "jpg", null);
    assertNotNull(s, "slave upload failed, errno " + c.getErrorCode());
    assertEquals(ProtoCommon.genSlaveFilename(m[1], "_150x150", "jpg"), s[1]);
    assertEquals(m[1].substring(0, 56) + "_150x150.jpg", s[1]);
    // longer than 60: a slave to every client; a file of its own though it is small
    assertFalse(TrunkId.isTrunkName(s[1]));
    assertTrue(FileName.decode(s[1]).slave());
    assertArrayEquals(slaveBytes, Files.readAllBytes(plainPath(s[1])));

    assertArrayEquals(masterBytes, storage().download_file(m[0], m[1]));
    assertArrayEquals(slaveBytes, storage().download_file(s[0], s[1]));

    // fdfs_file_info: the client decodes the master's name, and asks the server about the slave
    FileInfo mi = storage().get_file_info(m[0], m[1]);
    assertEquals(3000, mi.getFileSize());
    assertEquals(crc(masterBytes), mi.getCrc32() & 0xFFFFFFFFL);
    FileInfo si = storage().get_file_info(s[0], s[1]);
    assertEquals(700, si.getFileSize());
    assertEquals(crc(slaveBytes), si.getCrc32() & 0xFFFFFFFFL);

    String masterInfo = info(m[0] + "/" + m[1]);
    assertTrue(masterInfo.contains("file type:        normal\n"), masterInfo);
    assertTrue(masterInfo.contains("got from server:  false\n"), masterInfo);
    assertTrue(masterInfo.contains("file size:        3000\n"), masterInfo);
    String slaveInfo = info(s[0] + "/" + s[1]);
    assertTrue(slaveInfo.contains("file type:        slave\n"), slaveInfo);
    assertTrue(slaveInfo.contains("got from server:  true\n"), slaveInfo);
    assertTrue(slaveInfo.contains("file size:        700\n"), slaveInfo);
    assertTrue(slaveInfo.contains("file crc32:       " + crc(slaveBytes) + " "), slaveInfo);

    // the same slave again: EEXIST, as FastDFS
    assertNull(storage().upload_file(m[0], m[1], "_150x150", slaveBytes, "jpg", null));

    assertEquals(0, storage().delete_file(s[0], s[1]));
    assertFalse(Files.exists(plainPath(s[1])));
    assertNull(storage().download_file(s[0], s[1]));
    assertArrayEquals(masterBytes, storage().download_file(m[0], m[1]));
    assertEquals(0, storage().delete_file(m[0], m[1]));
    StorageClient gone = storage();
    assertNull(gone.download_file(m[0], m[1]));
    assertEquals(2, gone.getErrorCode());
    // no master: no slave (ENOENT), as FastDFS
    StorageClient orphan = storage();
    assertNull(orphan.upload_file(m[0], m[1], "_2", slaveBytes, "jpg", null));
    assertEquals(2, orphan.getErrorCode());
  }

  @Test
  void aSlaveShorterThanATrunkNameIsAFileOfItsOwnAndTheServerDescribesIt() throws Exception {
    byte[] masterBytes = random(500, 3);
    byte[] slaveBytes = random(90, 4);
    String[] m = packedMaster(masterBytes, "png");
    // no extension, prefix "_s": 56 + 2 = 58 characters
    String[] s = storage().upload_file(m[0], m[1], "_s", slaveBytes, null, null);
    assertNotNull(s);
    assertEquals(m[1].substring(0, 56) + "_s", s[1]);
    assertFalse(TrunkId.isTrunkName(s[1]));
    assertArrayEquals(slaveBytes, storage().download_file(s[0], s[1]));
    assertArrayEquals(slaveBytes, Files.readAllBytes(plainPath(s[1])));
    // the server reads size and CRC32 from the file, not from the master's payload in the name
    FileInfo q = storage().query_file_info(s[0], s[1]);
    assertEquals(90, q.getFileSize());
    assertEquals(crc(slaveBytes), q.getCrc32() & 0xFFFFFFFFL);
    String slaveInfo = info(s[0] + "/" + s[1]);
    assertTrue(slaveInfo.contains("file type:        slave\n"), slaveInfo);
    assertTrue(slaveInfo.contains("got from server:  true\n"), slaveInfo);
    assertTrue(slaveInfo.contains("file size:        90\n"), slaveInfo);
    assertEquals(0, storage().delete_file(s[0], s[1]));
    assertNull(storage().download_file(s[0], s[1]));
    assertArrayEquals(masterBytes, storage().download_file(m[0], m[1]));
  }

  @Test
  void aSlaveNameThatWouldReadAsATrunkNameIsRefusedAndNothingIsStored() throws Exception {
    byte[] masterBytes = random(800, 5);
    String[] m = packedMaster(masterBytes, "jpg");
    // 56 + "_raw" = 60 characters with the master's trunk flag: FastDFS stores it, then looks for
    // it as a trunk slot (ENOENT forever); refused here with EINVAL
    StorageClient c = storage();
    assertNull(c.upload_file(m[0], m[1], "_raw", new byte[] {1, 2}, null, null));
    assertEquals(22, c.getErrorCode());
    String wouldBe = m[1].substring(0, 56) + "_raw";
    assertFalse(Files.exists(plainPath(wouldBe)));
    // another length is fine, and the master is untouched
    String[] s = storage().upload_file(m[0], m[1], "_raw1", new byte[] {1, 2}, null, null);
    assertNotNull(s);
    assertEquals(61, s[1].length());
    assertArrayEquals(new byte[] {1, 2}, storage().download_file(s[0], s[1]));
    assertArrayEquals(masterBytes, storage().download_file(m[0], m[1]));
  }
}
