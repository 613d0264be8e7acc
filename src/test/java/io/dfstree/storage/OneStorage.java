package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TempTrees;
import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;

/**
 * The one set-up of the storage tests that talk to a storage over its socket: a {@link
 * StorageVerticle} (no tracker) on a Vert.x of its own and a free loopback port, its one store path
 * {@code s0} under a temp directory, and the official client aimed at it. {@link OneStorePath} is
 * the same without a verticle or a socket. {@link #close()} closes the Vert.x and removes the
 * directory.
 */
final class OneStorage implements AutoCloseable {
  final Path dir;
  final int port;
  final Vertx vertx;
  final String deployment;
  final StorageNode node;

  private OneStorage(Path dir, int port, Vertx vertx, String deployment, StorageNode node) {
    this.dir = dir;
    this.port = port;
    this.vertx = vertx;
    this.deployment = deployment;
    this.node = node;
  }

  /** The storage defaults with two subdirectories and 1M reserved. */
  static OneStorage start(String dirPrefix) throws Exception {
    return start(dirPrefix, c -> {});
  }

  /** Like {@link #start(String)}, after {@code customize} has edited the storage configuration. */
  static OneStorage start(String dirPrefix, Consumer<JsonObject> customize) throws Exception {
    Path dir = Files.createTempDirectory(dirPrefix);
    int port = TestPorts.free();
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("port", port)
            .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 2)
            .put("reservedSpace", "1M");
    customize.accept(c);
    Vertx vertx = Vertx.vertx();
    try {
      StorageVerticle storage = new StorageVerticle();
      String deployment =
          vertx
              .deployVerticle(storage, new DeploymentOptions().setConfig(c))
              .await(30, TimeUnit.SECONDS);
      ClientGlobal.g_network_timeout = 30000;
      return new OneStorage(dir, port, vertx, deployment, storage.node());
    } catch (Exception | Error e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      TempTrees.delete(dir);
      throw e;
    }
  }

  /** A new official client on its own connection to this storage. */
  StorageClient client() throws IOException {
    return new StorageClient(null, new StorageServer("127.0.0.1", port, 0));
  }

  /** Where a one-file blob the official client uploaded ({@code {group, name}}) lies on disk. */
  Path file(String[] id) {
    return dir.resolve("s0").resolve("data").resolve(id[1].substring(4));
  }

  /** A download of {@code id} on a new connection sends no bytes and answers an error code. */
  void assertRefused(String[] id, String why) throws Exception {
    StorageClient c = client();
    assertNull(c.download_file(id[0], id[1]), why);
    assertTrue(c.getErrorCode() != 0, "an error code: " + c.getErrorCode());
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      TempTrees.delete(dir);
    }
  }
}
