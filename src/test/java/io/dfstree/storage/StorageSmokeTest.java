package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;

class StorageSmokeTest {
  @Test
  void uploadDownload() throws Exception {
    try (OneStorage storage = OneStorage.start("st", c -> c.put("subdirCount", 4))) {
      StorageClient sc = storage.client();
      byte[] data = new byte[100000];
      new Random(1).nextBytes(data);
      String[] r = sc.upload_file(data, "jpg", new NameValuePair[] {new NameValuePair("w", "10")});
      System.out.println(r[0] + " " + r[1]);
      assertNotNull(r);
      byte[] back = sc.download_file(r[0], r[1]);
      assertArrayEquals(data, back);
      System.out.println(sc.get_metadata(r[0], r[1])[0].getValue());
      System.out.println(sc.query_file_info(r[0], r[1]));
      assertEquals(0, sc.delete_file(r[0], r[1]));
    }
  }
}
