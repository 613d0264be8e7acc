package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting files on a full store path makes room at once: before, free space was only re-measured
 * at the next heartbeat, and uploads in between were refused ENOSPC.
 */
class SpaceOnDeleteTest {
  @TempDir Path dir;
  OneStorePath store;
  Vertx vertx;
  StoredFiles files;
  StorePaths paths;
  StorePath path;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "1M");
    vertx = store.vertx;
    files = store.files;
    paths = store.paths;
    path = store.path;
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
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

    files
        .delete(vertx.getOrCreateContext(), files.validate(files.group(), name))
        .await(10, TimeUnit.SECONDS);

    assertTrue(paths.hasRoomFor(path, 1), "room again right after the delete");
    assertEquals(1, told.get(), "trackers are told at once");
  }
}
