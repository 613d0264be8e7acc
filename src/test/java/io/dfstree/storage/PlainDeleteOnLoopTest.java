package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.fileid.FileId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without fsync a client's lone plain delete runs its round on the event loop that read it
 * (w1del26, {@link DeleteCommitter}): moved into the trash, tombstone, one {@code D} line, answered
 * before the loop's task returns, no disk thread woken; the unlink stays behind the answer on the
 * trash's thread. Deletes from elsewhere, and every delete with fsync, take the disk pool's round.
 */
class PlainDeleteOnLoopTest {
  @TempDir Path dir;
  OneStorePath store;
  Binlog binlog;
  TombstoneStore tombstones;

  @AfterEach
  void tearDown() throws Exception {
    if (tombstones != null) {
      tombstones.close();
    }
    if (binlog != null) {
      binlog.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private void open(boolean fsync) throws Exception {
    store = new OneStorePath(dir, "1M", 2, fsync);
    binlog = new Binlog(dir.resolve("sync/binlog"));
    store.files.binlog(binlog);
    tombstones =
        TombstoneStore.open(
            dir.resolve("sync/tombstones"),
            86_400,
            fsync,
            System.currentTimeMillis() / 1000,
            binlog);
    store.files.tombstones(tombstones);
    store.files.redoDeletes();
  }

  private FileId upload(int seed) throws Exception {
    byte[] b = new byte[300_000];
    new java.util.Random(seed).nextBytes(b);
    FileWriteStream upload = store.files.newUpload(store.path);
    upload.write(Buffer.buffer(b));
    String name =
        store.files.placeNew(upload, store.path, false, "bin").await(10, TimeUnit.SECONDS);
    return store.files.validate(store.files.group(), name);
  }

  /** The delete started on {@code ctx}'s event loop; whether it was answered inside that task. */
  private boolean deleteOnLoop(Context ctx, FileId id, CompletableFuture<Throwable> outcome)
      throws Exception {
    CompletableFuture<Boolean> answeredInside = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          Future<Void> f = store.files.delete(ctx, id);
          answeredInside.complete(f.isComplete());
          f.onComplete(ar -> outcome.complete(ar.failed() ? ar.cause() : null));
        });
    return answeredInside.get(10, TimeUnit.SECONDS);
  }

  private long deleteLines(String name) throws Exception {
    byte[] all = binlog.read(binlog.firstOffset(), 1 << 20);
    return Binlog.parse(all, binlog.firstOffset()).stream()
        .filter(e -> e.kind() == Binlog.DELETE && e.local() && e.name().equals(name))
        .count();
  }

  @Test
  void withoutFsyncALoneDeleteIsAnsweredOnItsLoop() throws Exception {
    open(false);
    DeleteCommitter deletes = store.files.deletes();
    Context ctx = store.vertx.getOrCreateContext();
    FileId id = upload(1);
    Path p = store.files.pathOf(id);
    long poolRounds = deletes.rounds.sum();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    assertTrue(deleteOnLoop(ctx, id, outcome), "answered on the loop, no disk thread in between");
    assertEquals(null, outcome.get(10, TimeUnit.SECONDS), "succeeded");
    assertEquals(poolRounds, deletes.rounds.sum(), "no round on the disk pool");
    assertEquals(1, deletes.plainLoopRounds.sum(), "one round on the loop");
    assertFalse(Files.exists(p), "gone from its name");
    assertTrue(store.files.deletedSince(id, 0), "tombstone");
    assertEquals(1, deleteLines(id.remoteName()), "one D line");
    store.awaitTrashIdle();
    try (var left = Files.list(store.path.data.resolve(Trash.DIR))) {
      assertEquals(0, left.count(), "unlinked behind the answer by the trash");
    }

    // a second delete of the same name fails (ENOENT) and logs nothing more
    CompletableFuture<Throwable> again = new CompletableFuture<>();
    deleteOnLoop(ctx, id, again);
    assertTrue(again.get(10, TimeUnit.SECONDS) != null, "not found the second time");
    assertEquals(1, deleteLines(id.remoteName()), "no second line");

    // from a thread that is no event loop: the disk pool's round, as before
    FileId other = upload(2);
    store.files.delete(ctx, other).await(10, TimeUnit.SECONDS);
    assertEquals(poolRounds + 1, deletes.rounds.sum(), "a disk pool round off the loop");
    assertFalse(Files.exists(store.files.pathOf(other)));
    assertEquals(1, deleteLines(other.remoteName()));

    // switched off: the disk pool's round from the loop too
    long loopRounds = deletes.plainLoopRounds.sum(); // the ENOENT delete above took one as well
    deletes.plainOnLoopAllowed = false;
    FileId third = upload(3);
    CompletableFuture<Throwable> off = new CompletableFuture<>();
    // (not "unanswered when the loop's task returns": a disk thread may finish a round without
    // fsync before the loop looks, as it once did here; the counters say where the round ran)
    deleteOnLoop(ctx, third, off);
    assertEquals(null, off.get(10, TimeUnit.SECONDS));
    assertEquals(poolRounds + 2, deletes.rounds.sum(), "a disk pool round from the loop");
    assertEquals(loopRounds, deletes.plainLoopRounds.sum(), "no round on the loop");
    assertEquals(1, deleteLines(third.remoteName()));
  }

  @Test
  void withFsyncTheDiskPoolAsBefore() throws Exception {
    open(true);
    DeleteCommitter deletes = store.files.deletes();
    Context ctx = store.vertx.getOrCreateContext();
    FileId id = upload(4);
    long poolRounds = deletes.rounds.sum();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    assertFalse(deleteOnLoop(ctx, id, outcome), "the round forces: not on the loop");
    assertEquals(null, outcome.get(10, TimeUnit.SECONDS));
    assertEquals(poolRounds + 1, deletes.rounds.sum());
    assertEquals(0, deletes.plainLoopRounds.sum());
    assertFalse(Files.exists(store.files.pathOf(id)));
    assertEquals(1, deleteLines(id.remoteName()));
  }
}
