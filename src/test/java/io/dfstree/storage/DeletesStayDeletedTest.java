package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stale copy of a deleted file that a peer offers later (a replayed create line, a replica that
 * was in flight) is refused after a burst of more deletes than the old in-memory bound (16,384) and
 * after a restart of the storage: tombstones are on disk.
 */
class DeletesStayDeletedTest {
  static final long DAY = 86_400;
  @TempDir Path dir;
  Vertx vertx;
  WorkerExecutor disk;
  StorePaths paths;
  StorePath path;
  StoredFiles files;

  OneStorePath store;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "0", 4);
    vertx = store.vertx;
    disk = store.disk;
    paths = store.paths;
    path = store.path;
    files = open();
  }

  /** The storage's files as a (re)started storage opens them. */
  StoredFiles open() throws Exception {
    StoredFiles f = new StoredFiles(disk, paths, 7, "group1", false);
    f.tombstones(
        TombstoneStore.open(
            dir.resolve("s0/data/sync/tombstones"), 30 * DAY, false, StoredFiles.now()));
    return f;
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  FileId upload(String text) throws Exception {
    FileWriteStream up = files.newUpload(path);
    up.write(Buffer.buffer(text));
    String name = await(files.placeNew(up, path, false, "txt"));
    return files.validate("group1", name);
  }

  /** A peer's copy of {@code id}, made at {@code mtime}, offered to this storage. */
  Future<Boolean> offerCopy(FileId id, long mtime) {
    FileWriteStream copy = files.fromPeers().newReplica(id);
    copy.write(Buffer.buffer("stale bytes"));
    return files.fromPeers().placeReplica(vertx.getOrCreateContext(), copy, id, mtime, false);
  }

  static void assertRefused(Future<Boolean> placed) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(placed));
    assertInstanceOf(FdfsException.class, e.getCause());
    assertEquals(
        2, ((FdfsException) e.getCause()).errno(), "ENOENT, as from a peer without the file");
  }

  @Test
  void aDeletedFileStaysDeletedThroughADeleteBurstAndARestart() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    FileId victim = upload("to be deleted");
    long createdAt = StoredFiles.now();
    await(files.delete(ctx, victim));

    // more deletes than the old bound, as a replay of a peer's binlog applies them
    List<Future<Void>> burst = new ArrayList<>();
    for (int i = 0; i < 17_000; i++) {
      String name = files.newName(path, i, i, false, "bin", StoredFiles.now() - i);
      files.placing(name, false);
      burst.add(
          files.fromPeers().applyDelete(ctx, files.validate("group1", name), StoredFiles.now()));
    }
    await(Future.all(burst));

    assertRefused(offerCopy(victim, createdAt));
    assertFalse(Files.exists(files.pathOf(victim)), "the stale copy was not placed");

    // restart: a new process reads its tombstones back
    files.tombstones().close();
    files = open();
    assertTrue(
        files.tombstones().size() >= 17_001,
        "tombstones after the restart: " + files.tombstones().size());
    assertRefused(offerCopy(victim, createdAt));
    assertFalse(
        Files.exists(files.pathOf(victim)), "the stale copy was not placed after the restart");
    files.tombstones().close();
  }
}
