package io.dfstree.storage;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The one set-up of the storage-layer tests that need no sockets: a storage's files (id 7, group1)
 * on one prepared store path {@code s0} under a test's temp directory, with a Vert.x and a disk
 * worker pool of its own. {@link #close()} closes the Vert.x.
 */
final class OneStorePath implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final WorkerExecutor disk;
  final StorageOptions options;
  final StorePaths paths;
  final StorePath path;
  final StoredFiles files;

  /**
   * {@code reservedSpace} as the configuration spells it ("0", "1M"); {@code workers} disk threads.
   */
  OneStorePath(Path dir, String reservedSpace, int workers) throws Exception {
    this(dir, reservedSpace, workers, false);
  }

  /** {@code fsync}: the files force what they write, as a storage with the defaults does. */
  OneStorePath(Path dir, String reservedSpace, int workers, boolean fsync) throws Exception {
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 2)
            .put("reservedSpace", reservedSpace)
            .put("id", 7);
    options = StorageOptions.from(c);
    paths = new StorePaths(options);
    path = paths.all().get(0);
    path.prepare(options.subdirCount());
    disk = vertx.createSharedWorkerExecutor("store-path-test", workers);
    files = new StoredFiles(disk, paths, options.id(), options.group(), fsync);
  }

  OneStorePath(Path dir, String reservedSpace) throws Exception {
    this(dir, reservedSpace, 2);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Waits (up to 20 s) until the trash has unlinked or kept everything handed to it. */
  void awaitTrashIdle() throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!files.trash().idle() && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    org.junit.jupiter.api.Assertions.assertTrue(files.trash().idle(), "the trash is done");
  }

  /** A plain upload of {@code size} random bytes from {@code seed}, placed; returns its name. */
  String upload(int size, int seed) throws Exception {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    FileWriteStream upload = files.newUpload(path);
    upload.write(io.vertx.core.buffer.Buffer.buffer(b));
    return files.placeNew(upload, path, false, "bin").await(10, TimeUnit.SECONDS);
  }

  /** Where the file {@code name} of this storage's group lives. */
  Path pathOf(String name) {
    return files.pathOf(files.validate(files.group(), name));
  }

  /** One client delete, answered (its line written); the trash's work is behind the answer. */
  void delete(String name) throws Exception {
    files
        .delete(vertx.getOrCreateContext(), files.validate(files.group(), name))
        .await(10, TimeUnit.SECONDS);
  }

  /** Files waiting in the store path's trash. */
  long inTrash() throws java.io.IOException {
    try (var left = java.nio.file.Files.list(path.data.resolve(Trash.DIR))) {
      return left.count();
    }
  }
}
