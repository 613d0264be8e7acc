package io.dfstree.replication;

import static io.dfstree.RawClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.dfstree.Damage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member that received a peer's copy computed its CRC32 as the bytes arrived and compared it with
 * the name: a client's first download of that copy there, within {@code verifiedReuseSeconds}, is
 * sent without reading the file again to check it (as on the member that took the upload). To see
 * that no check ran, the copy is damaged in place with its mtime put back, which the record cannot
 * see: a trusted download sends the damaged byte; a checked one repairs it from the other member.
 */
class PeerCopyKnownGoodTest {
  static final int SIZE = 300_000; // a plain file (not packed here), checked on download (<= 1M)
  final byte[] content = bytes(SIZE);
  TwoStorages group;

  void start(int reuseSeconds) throws Exception {
    group =
        TwoStorages.start(
            "peer-copy-known-good",
            false,
            null,
            c -> {
              c.getJsonObject("reliability").put("verifiedReuseSeconds", reuseSeconds);
              return c;
            });
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
  }

  /** Uploads to A (W=2: B has its copy when this returns), damages B's copy, downloads from B. */
  byte[] downloadOfADamagedCopyOnB() throws Exception {
    StorageClient a = new StorageClient(null, new StorageServer("127.0.0.1", group.portA, 0));
    String[] id = a.upload_file(content, "bin", null);
    Path onB = group.data("b").resolve(id[1].substring(4));
    FileTime mtime = Files.getLastModifiedTime(onB);
    Damage.flipByte(onB, 200_000);
    Files.setLastModifiedTime(onB, mtime);
    StorageClient b = new StorageClient(null, new StorageServer("127.0.0.1", group.portB, 0));
    return b.download_file(id[0], id[1]);
  }

  @Test
  void aCopyCheckedAsItArrivedIsNotReadAgainForItsFirstDownload() throws Exception {
    start(30);
    byte[] damaged = content.clone();
    damaged[200_000] ^= 0x40;
    assertArrayEquals(damaged, downloadOfADamagedCopyOnB(), "sent without a check read");
  }

  @Test
  void withZeroSecondsTheCopyIsCheckedAndRepaired() throws Exception {
    start(0);
    assertArrayEquals(content, downloadOfADamagedCopyOnB(), "checked, repaired from A");
  }
}
