package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name being placed here (an upload streamed to peers, a replica from its source) is visible to
 * catch-up, which waits for the placement instead of fetching the file again.
 */
class PlacingTest {
  @TempDir Path dir;
  OneStorePath store;
  Vertx vertx;
  StoredFiles files;
  StorePath path;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "0");
    vertx = store.vertx;
    files = store.files;
    path = store.path;
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  @Test
  void catchUpWaitsUntilTheUploadIsPlacedThenFindsItThere() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    String name = files.newName(path, 5, 12345, false, "txt", StoredFiles.now());
    Future<Void> after = files.afterPlacing(ctx, name);
    Thread.sleep(100);
    assertFalse(after.isComplete(), "the name is being placed");

    FileWriteStream upload = files.newUpload(path);
    upload.write(Buffer.buffer("hello"));
    assertEquals(
        name, files.placeAs(upload, path, name, StoredFiles.now()).await(10, TimeUnit.SECONDS));
    after.await(10, TimeUnit.SECONDS);
    assertTrue(
        files.lookups().exists(files.validate(files.group(), name)).await(10, TimeUnit.SECONDS),
        "when catch-up goes on, the file is there: nothing to fetch");
    assertTrue(files.afterPlacing(ctx, name).isComplete(), "nothing in progress any more");
  }

  @Test
  void aFailedPlacementAlsoReleasesTheName() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    String name = files.newName(path, 5, 1, false, "txt", StoredFiles.now());
    Future<Void> after = files.afterPlacing(ctx, name);
    FileWriteStream upload = files.newUpload(path);
    upload.write(Buffer.buffer("hello"));
    Path target = files.pathOf(files.validate(files.group(), name));
    Files.writeString(target, "taken"); // the name is already used: placing fails with EEXIST
    assertThrows(
        Exception.class,
        () -> files.placeAs(upload, path, name, StoredFiles.now()).await(10, TimeUnit.SECONDS));
    after.await(10, TimeUnit.SECONDS);
  }

  @Test
  void replicasBeingNamedAreWaitedForToo() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    String name = "M00/00/01/some-replica.txt";
    files.placing(name, true);
    Future<Void> after = files.afterPlacing(ctx, name);
    assertFalse(after.isComplete());
    files.placing(name, false);
    after.await(10, TimeUnit.SECONDS);
  }
}
