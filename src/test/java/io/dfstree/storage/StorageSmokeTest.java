package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.Test;

class StorageSmokeTest {
  @Test
  void uploadDownload() throws Exception {
    Path dir = Files.createTempDirectory("st");
    int port;
    port = TestPorts.free();
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("port", port)
            .put("storePaths", new io.vertx.core.json.JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 4)
            .put("reservedSpace", "1M");
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new StorageVerticle(), new DeploymentOptions().setConfig(c)).await();
    ClientGlobal.g_network_timeout = 30000;
    StorageClient sc = new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
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
    vertx.close().await();
    io.dfstree.TempTrees.delete(dir);
  }
}
