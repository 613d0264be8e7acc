package io.dfstree.replication;

import static io.dfstree.Damage.flipByte;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.awaitility.core.ConditionTimeoutException;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A byte flipped on one member's disk: a small file is checked before it is downloaded and repaired
 * from the peer (the client gets the right bytes), a large one is found by the background scrub and
 * repaired too; both repairs show on /metrics.
 */
class DamagedCopyRepairTest {
  TwoStorages group;
  Path dir;
  int portA;
  int httpA;

  @BeforeEach
  void start() throws Exception {
    // A with its HTTP adapter (the composition root adds it): the test reads /metrics from it
    group =
        TwoStorages.start(
            "scrub",
            true,
            null,
            c -> {
              c.getJsonObject("reliability")
                  .put("verifyDownloadMaxBytes", "1M")
                  .put("scrubBytesPerSecond", "64M")
                  .put("scrubPauseMinutes", 0);
              return c;
            });
    dir = group.dir;
    portA = group.portA;
    httpA = group.httpA;
  }

  @AfterEach
  void stop() {
    group.close();
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  Path onA(String remote) {
    return dir.resolve("a").resolve("data").resolve(remote.substring(4));
  }

  double metric(String name) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpA + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aFlippedByteIsCaughtOnDownloadAndByTheScrubAndRepairedFromThePeer() throws Exception {
    StorageClient client = new StorageClient(null, new StorageServer("127.0.0.1", portA, 0));
    byte[] small = bytes(200_000, 1);
    String[] smallId = client.upload_file(small, "bin", null);
    byte[] large = bytes(3_000_000, 2);
    String[] largeId = client.upload_file(large, "bin", null);

    flipByte(onA(smallId[1]), 12_345);
    byte[] got =
        new StorageClient(null, new StorageServer("127.0.0.1", portA, 0))
            .download_file(smallId[0], smallId[1]);
    assertArrayEquals(small, got, "the download got the peer's good bytes, not the damaged copy");
    assertArrayEquals(small, Files.readAllBytes(onA(smallId[1])), "the copy on disk is repaired");

    flipByte(onA(largeId[1]), 2_000_000);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> Arrays.equals(large, Files.readAllBytes(onA(largeId[1]))));
    } catch (ConditionTimeoutException notYet) {
      // the assertion below says what is wrong
    }
    assertArrayEquals(
        large, Files.readAllBytes(onA(largeId[1])), "the scrub found and repaired the large copy");
    assertTrue(metric("dfstree_scrub_repairs_total") >= 2, "repairs on /metrics");
    assertTrue(metric("dfstree_scrub_damaged_total") >= 2, "damaged copies on /metrics");
    assertTrue(metric("dfstree_scrub_files_total") >= 1, "scrub progress on /metrics");
    assertEquals(0, metric("dfstree_scrub_repairs_failed_total"));
  }
}
