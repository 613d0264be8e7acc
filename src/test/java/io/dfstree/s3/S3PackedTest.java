package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With packed volumes on, a small object is a slot in a volume: GET and ranges read the slot, not
 * the volume's start.
 */
class S3PackedTest {
  @Test
  void smallObjectsInPackedVolumesReadBackWholeAndInRanges() throws Exception {
    try (S3Node node =
            S3Node.startWith(
                c ->
                    c.getJsonObject("storage")
                        .put("packed", new JsonObject().put("enabled", true)));
        S3Client s3 = node.client()) {
      s3.createBucket(b -> b.bucket("packed"));
      byte[][] bodies = new byte[3][];
      for (int i = 0; i < 3; i++) {
        bodies[i] = new byte[5000 + i * 1000];
        new Random(i).nextBytes(bodies[i]);
        int n = i;
        String id =
            s3.putObject(
                    b -> b.bucket("packed").key("small-" + n + ".bin"),
                    RequestBody.fromBytes(bodies[n]))
                .sdkHttpResponse()
                .firstMatchingHeader("x-dfstree-file-id")
                .orElseThrow();
        assertTrue(id.length() > 50, "a trunk (packed) file id: " + id);
      }
      for (int i = 0; i < 3; i++) {
        int n = i;
        assertArrayEquals(
            bodies[i],
            s3.getObjectAsBytes(b -> b.bucket("packed").key("small-" + n + ".bin")).asByteArray());
        byte[] range =
            s3.getObjectAsBytes(
                    b -> b.bucket("packed").key("small-" + n + ".bin").range("bytes=100-199"))
                .asByteArray();
        assertArrayEquals(Arrays.copyOfRange(bodies[i], 100, 200), range);
      }
    }
  }
}
