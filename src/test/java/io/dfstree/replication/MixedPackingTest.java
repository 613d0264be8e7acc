package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.dfstree.fileid.FileName;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group whose members disagree on packing (A packs, B has it off, as during a rolling change of
 * the setting): with W = 2 each member's uploads are readable on the other at once, packed slots
 * on B too, and deletes reach both.
 */
class MixedPackingTest {
  TwoStorages group;

  @BeforeEach
  void start() throws Exception {
    group =
        TwoStorages.start(
            "mixed-packing",
            false,
            null,
            c ->
                c.getInteger("id") == TwoStorages.A
                    ? c.put(
                        "packed",
                        new JsonObject()
                            .put("enabled", true)
                            .put("maxFileSize", "64K")
                            .put("volumeSize", "4M"))
                    : c);
  }

  @AfterEach
  void stop() {
    group.close();
  }

  StorageClient client(int port) throws java.io.IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void packedSlotsAndPlainFilesAreReadableOnTheMemberThatDoesNotPack() throws Exception {
    StorageClient a = client(group.portA);
    StorageClient b = client(group.portB);
    for (int i = 0; i < 5; i++) {
      byte[] onA = bytes(3000 + i, i);
      String[] packed = a.upload_file(onA, "bin", null);
      assertNotNull(packed, "upload to A errno " + a.getErrorCode());
      assertEquals(FileName.TRUNK_NAME_LEN, packed[1].length(), "A packs: " + packed[1]);
      assertArrayEquals(onA, group.slotOn("b", packed[1]), "A's slot is in B's copy of A's volume");
      assertArrayEquals(onA, b.download_file(packed[0], packed[1]), "A's slot read on B");

      byte[] onB = bytes(2000 + i, 100 + i);
      String[] plain = b.upload_file(onB, "bin", null);
      assertNotNull(plain, "upload to B errno " + b.getErrorCode());
      assertEquals(44, plain[1].length(), "B does not pack: " + plain[1]);
      assertArrayEquals(onB, a.download_file(plain[0], plain[1]), "B's file read on A");

      assertEquals(0, b.delete_file(packed[0], packed[1]), "B deletes A's slot");
      assertEquals(0, a.delete_file(plain[0], plain[1]), "A deletes B's file");
    }
  }
}
