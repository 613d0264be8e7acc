package io.dfstree.embedded;

import io.dfstree.SingleNodeServer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;

/**
 * The packed-store tests' node: the embedded node with {@code storage.packed} on (files up to 64K
 * packed, 1M volumes, so a test fills and rolls volumes quickly), and the official Java client 1.27
 * pointed at its tracker. One per test class.
 */
final class PackedNode {
  private PackedNode() {}

  /** Starts the node; {@code storage} edits the storage section further (fsync, HTTP port...). */
  static SingleNodeServer start(Consumer<JsonObject> storage) throws Exception {
    SingleNodeServer server =
        SingleNodeServer.start(
            c -> {
              JsonObject s = c.getJsonObject("storage");
              s.put(
                  "packed",
                  new JsonObject()
                      .put("enabled", true)
                      .put("maxFileSize", "64K")
                      .put("volumeSize", "1M"));
              storage.accept(s);
            });
    ClientGlobal.initByTrackers(server.trackerAddress());
    ClientGlobal.g_connect_timeout = 5000;
    ClientGlobal.g_network_timeout = 10_000;
    return server;
  }

  /** A storage client that asks the tracker for its storage. */
  static StorageClient storage() {
    return new StorageClient(null, null);
  }

  /** {@code size} bytes of seeded random content. */
  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}
