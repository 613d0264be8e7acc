package io.dfstree.embedded;

import static io.dfstree.embedded.PackedNode.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dfstree.SingleNodeServer;
import io.dfstree.TempTrees;
import io.dfstree.fileid.FileName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;

/**
 * A user who turns packing off keeps every file packed before: after a restart with {@code
 * storage.packed.enabled: false}, the official client still downloads, asks about and deletes the
 * packed files, and new small uploads get plain 44-character names.
 */
class PackingTurnedOffTest {
  @Test
  void packedFilesStayReadableAndDeletableAfterPackingIsTurnedOff() throws Exception {
    Path store = Files.createTempDirectory("packing-off").resolve("store0");
    try {
      String[][] ids = new String[3][];
      byte[][] contents = new byte[3][];
      try (SingleNodeServer on = start(store, true)) {
        StorageClient c = new StorageClient(null, null);
        for (int i = 0; i < ids.length; i++) {
          contents[i] = random(3000 + i, 40 + i);
          ids[i] = c.upload_file(contents[i], "txt", null);
          assertNotNull(ids[i], "upload errno " + c.getErrorCode());
          assertEquals(FileName.TRUNK_NAME_LEN, ids[i][1].length(), "packed: " + ids[i][1]);
        }
      }

      try (SingleNodeServer off = start(store, false)) {
        StorageClient c = new StorageClient(null, null);
        for (int i = 0; i < ids.length; i++) {
          assertArrayEquals(
              contents[i], c.download_file(ids[i][0], ids[i][1]), "packed file " + i + " reads");
        }
        FileInfo info = c.query_file_info(ids[0][0], ids[0][1]);
        assertNotNull(info, "query_file_info errno " + c.getErrorCode());
        assertEquals(contents[0].length, info.getFileSize());

        assertEquals(0, c.delete_file(ids[1][0], ids[1][1]), "a packed file can be deleted");
        assertNull(c.download_file(ids[1][0], ids[1][1]));
        assertEquals(2, c.getErrorCode(), "the deleted packed file is gone (ENOENT)");

        byte[] fresh = random(2000, 99);
        String[] plain = c.upload_file(fresh, "txt", null);
        assertNotNull(plain, "upload errno " + c.getErrorCode());
        assertEquals(44, plain[1].length(), "a new small upload is a file of its own: " + plain[1]);
        assertArrayEquals(fresh, c.download_file(plain[0], plain[1]));
        assertArrayEquals(contents[2], c.download_file(ids[2][0], ids[2][1]));
      }
    } finally {
      TempTrees.delete(store.getParent());
    }
  }

  private static SingleNodeServer start(Path store, boolean packing) throws Exception {
    SingleNodeServer server =
        SingleNodeServer.start(
            c ->
                c.getJsonObject("storage")
                    .put("storePaths", new JsonArray().add(store.toString()))
                    .put(
                        "packed",
                        new JsonObject()
                            .put("enabled", packing)
                            .put("maxFileSize", "64K")
                            .put("volumeSize", "1M")));
    ClientGlobal.initByTrackers(server.trackerAddress());
    ClientGlobal.g_connect_timeout = 5000;
    ClientGlobal.g_network_timeout = 10_000;
    return server;
  }
}
