package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting files on a full store path makes room at once: before, free space was only
 * re-measured at the next heartbeat, and uploads in between were refused ENOSPC.
 */
class SpaceOnDeleteTest {
  @TempDir Path dir;
  Vertx vertx;
  StoredFiles files;
  StorePaths paths;
  StorePath path;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    JsonObject c = Config.defaults().getJsonObject("storage").copy()
        .put("storePaths", new JsonArray().add(dir.resolve("s0").toString())).put("subdirCount", 2)
        .put("reservedSpace", "1M").put("id", 7);
    StorageOptions o = StorageOptions.from(c);
    paths = new StorePaths(o);
    path = paths.all().get(0);
    path.prepare(o.subdirCount());
    files = new StoredFiles(vertx.createSharedWorkerExecutor("space-test", 2), paths, o.id(), o.group(), false);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aDeleteOnAFullPathMakesRoomWithoutWaitingForTheHeartbeat() throws Exception {
    FileWriteStream upload = files.newUpload(path);
    upload.write(Buffer.buffer("bytes that will be deleted"));
    String name = files.placeNew(upload, path, false, "bin").await(10, TimeUnit.SECONDS);
    path.consumed(path.freeBytes()); // as a run of uploads filling the disk leaves the estimate
    assertFalse(paths.hasRoomFor(path, 1), "full");
    AtomicInteger told = new AtomicInteger();
    files.onSpaceFreed = told::incrementAndGet;

    files.delete(vertx.getOrCreateContext(), files.validate(files.group(), name)).await(10, TimeUnit.SECONDS);

    assertTrue(paths.hasRoomFor(path, 1), "room again right after the delete");
    assertEquals(1, told.get(), "trackers are told at once");
  }
}
