package io.dfstree.storage;

import static io.dfstree.RawClient.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.Damage;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A download of a one-file blob too large to be read into one buffer ({@link SmallDownload}) but
 * checked against its name first ({@code verifyDownloadMaxBytes}, 1M by default): the stat and the
 * check are one disk call, then the bytes go out with sendfile; ranges are served from the same
 * checked file, and a damaged copy with no peer to repair it is refused, not sent.
 */
class CheckedDownloadTest {
  OneStorage storage;

  @BeforeEach
  void start() throws Exception {
    storage = OneStorage.start("checked-download");
  }

  @AfterEach
  void stop() throws Exception {
    storage.close();
  }

  @Test
  void aCheckedDownloadTakesOneDiskCall() throws Exception {
    byte[] content = bytes(1 << 20);
    String[] id = storage.client().upload_file(content, "bin", null);
    assertArrayEquals(content, storage.client().download_file(id[0], id[1])); // warm
    int downloads = 10;
    long before = storage.node.disk.submitted();
    for (int i = 0; i < downloads; i++) {
      assertArrayEquals(content, storage.client().download_file(id[0], id[1]));
    }
    long calls = storage.node.disk.submitted() - before;
    // two per download before (a stat, then the check); a little room for background work
    assertTrue(calls <= downloads + 3, "disk calls for " + downloads + " downloads: " + calls);
  }

  @Test
  void rangesOfACheckedFileAreItsBytes() throws Exception {
    byte[] content = bytes(300_000);
    String[] id = storage.client().upload_file(content, "bin", null);
    assertArrayEquals(
        Arrays.copyOfRange(content, 123_456, 123_456 + 70_000),
        storage.client().download_file(id[0], id[1], 123_456, 70_000));
    assertArrayEquals(
        Arrays.copyOfRange(content, 250_000, 300_000),
        storage.client().download_file(id[0], id[1], 250_000, 0));
  }

  @Test
  void aDamagedCopyWithNoPeerIsRefusedNotSent() throws Exception {
    byte[] content = bytes(300_000);
    String[] id = storage.client().upload_file(content, "bin", null);
    Damage.flipByte(storage.file(id), 200_000);
    storage.assertRefused(id, "no bytes for a copy that fails its check");
  }
}
