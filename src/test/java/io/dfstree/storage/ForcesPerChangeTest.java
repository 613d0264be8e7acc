package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.FileId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forces to disk per change, with fsync on (the defaults), one change at a time so no group commit
 * merges two: what a W=2 upload, a peer's copy and a delete cost in fsyncs. Issue 8 compared the
 * refactored storage with the jar before it by counting system calls per operation in the
 * benchmark (benchmark/PROFILE.md, "Counted per operation"); these are the same counts, held here
 * so that a force done twice, or one more per change, fails a test instead of hiding in a
 * benchmark's noise.
 */
class ForcesPerChangeTest {
  @TempDir Path dir;
  OneStorePath store;
  Context ctx;
  StoredFiles files;
  BlobEngine engine;
  Binlog binlog;
  TombstoneStore tombstones;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    ctx = store.vertx.getOrCreateContext();
    files = store.files;
    binlog = new Binlog(dir.resolve("sync/binlog"));
    files.binlog(binlog);
    tombstones =
        TombstoneStore.open(
            dir.resolve("sync/tombstones"),
            86_400,
            true,
            System.currentTimeMillis() / 1000,
            binlog);
    files.tombstones(tombstones);
    engine = new BlobEngines(List.of(new FileBlobEngine(files, store.disk))).forNew(4096, false);
  }

  @AfterEach
  void tearDown() throws Exception {
    tombstones.close();
    binlog.close();
    store.close();
  }

  private <T> T on(Supplier<Future<T>> action) throws Exception {
    return io.dfstree.OnContext.await(ctx, action, 10);
  }

  /** Runs {@code change} and answers the forces it took: data, directories, binlog. */
  private long[] forcesOf(Supplier<Future<?>> change) throws Exception {
    long[] before = files.forces().counts();
    on(change::get);
    long[] after = files.forces().counts();
    return new long[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]};
  }

  /** Completes once the trash forced and unlinked what the deletes so far left it. */
  private Future<Void> trashIdle() {
    return store.vertx.executeBlocking(
        () -> {
          long end = System.currentTimeMillis() + 30_000;
          while (!files.trash().idle() && System.currentTimeMillis() < end) {
            Thread.sleep(5);
          }
          return null;
        });
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31);
    }
    return b;
  }

  @Test
  void anUploadForcesItsBytesItsDirectoryAndItsBinlogLineOnceEach() throws Exception {
    byte[] b = bytes(4096);
    long[] f =
        forcesOf(
            () -> {
              NewBlob blob = engine.create(0, b.length, false, "bin");
              blob.write(Buffer.buffer(b));
              return blob.place();
            });
    assertArrayEquals(new long[] {1, 1, 1}, f, "data, directory, binlog: " + files.forces());
  }

  /** The source's copy of a W=2 upload: named before it is placed, as its peers' copies are. */
  @Test
  void anUploadStreamedToPeersIsPlacedWithTheSameForces() throws Exception {
    byte[] b = bytes(4096);
    CRC32 crc = new CRC32();
    crc.update(b);
    long[] f =
        forcesOf(
            () -> {
              NewBlob blob = engine.create(0, b.length, false, "bin").withoutCrc();
              blob.write(Buffer.buffer(b));
              long now = System.currentTimeMillis() / 1000;
              return blob.placeAs(blob.name((int) crc.getValue(), now), now);
            });
    assertArrayEquals(new long[] {1, 1, 1}, f, "data, directory, binlog: " + files.forces());
  }

  /**
   * A peer's copy is forced while its source still finishes (before the trailer names it), then
   * placed: its bytes are forced once, not again when it is placed.
   */
  @Test
  void aPeersCopyIsForcedOnceThoughItIsFinishedTwice() throws Exception {
    byte[] b = bytes(4096);
    CRC32 crc = new CRC32();
    crc.update(b);
    String name =
        on(
            () -> {
              NewBlob source = engine.create(0, b.length, false, "bin").withoutCrc();
              return Future.succeededFuture(
                  source.name((int) crc.getValue(), System.currentTimeMillis() / 1000));
            });
    FileId id = files.validate(files.group(), name);
    long[] f =
        forcesOf(
            () -> {
              NewBlob copy = engine.receive(0, b.length);
              copy.write(Buffer.buffer(b));
              return copy.force()
                  .compose(n -> copy.placeCopy(ctx, id, System.currentTimeMillis() / 1000, false));
            });
    assertArrayEquals(new long[] {1, 1, 1}, f, "data, directory, binlog: " + files.forces());
  }

  /**
   * The tombstone rides on the binlog's force (issue 10): no force of its own. The directory the
   * file left is forced behind the answer, on the trash thread ({@link Trash}), once.
   */
  @Test
  void aDeleteForcesItsDirectoryAndItsBinlogLineOnly() throws Exception {
    byte[] b = bytes(100);
    String name =
        on(
            () -> {
              NewBlob blob = engine.create(0, b.length, false, "");
              blob.write(Buffer.buffer(b));
              return blob.place();
            });
    FileId id = files.validate(files.group(), name);
    long[] f = forcesOf(() -> engine.delete(ctx, id).compose(v -> trashIdle()));
    assertArrayEquals(new long[] {0, 1, 1}, f, "data, directory, binlog: " + files.forces());
    assertNotNull(tombstones.deletedAt(name), "the delete left its tombstone");
  }

  /** The plain or packed files of {@code n} uploads, one at a time. */
  private List<FileId> stored(BlobEngine into, int n, int size) throws Exception {
    List<FileId> ids = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = bytes(size + i);
      String name =
          on(
              () -> {
                NewBlob blob = into.create(0, b.length, false, "");
                blob.write(Buffer.buffer(b));
                return blob.place();
              });
      ids.add(files.validate(files.group(), name));
    }
    return ids;
  }

  /** Runs {@code each} for every id at once (all asked before any is answered). */
  private void allAtOnce(List<FileId> ids, java.util.function.Function<FileId, Future<?>> each)
      throws Exception {
    on(
        () -> {
          List<Future<?>> all = new java.util.ArrayList<>();
          for (FileId id : ids) {
            all.add(each.apply(id));
          }
          return Future.all(all);
        });
  }

  static final int CONCURRENT = 32;

  /**
   * Deletes that arrive together share one durable round (issue 9): their directories and the
   * binlog are forced once per batch, not once per delete, and each still has its tombstone and its
   * line.
   */
  @Test
  void concurrentPlainDeletesShareTheirForces() throws Exception {
    List<FileId> ids = stored(engine, CONCURRENT, 100);
    long[] before = files.forces().counts();
    allAtOnce(ids, id -> engine.delete(ctx, id));
    on(this::trashIdle); // the directories are forced behind the answers
    long[] after = files.forces().counts();
    long dirs = after[1] - before[1];
    long lines = after[2] - before[2];
    System.out.printf(
        "%d concurrent plain deletes: %d directory forces, %d binlog forces%n",
        CONCURRENT, dirs, lines);
    assertEquals(0, after[0] - before[0], "no data force for a delete");
    assertTrue(dirs < CONCURRENT / 4, "directory forces for " + CONCURRENT + ": " + dirs);
    assertTrue(lines < CONCURRENT / 4, "binlog forces for " + CONCURRENT + ": " + lines);
    for (FileId id : ids) {
      assertNotNull(tombstones.deletedAt(id.remoteName()), "tombstone of " + id.remoteName());
      assertFalse(java.nio.file.Files.exists(files.pathOf(id)));
    }
    List<String> log = java.nio.file.Files.readAllLines(dir.resolve("sync/binlog"));
    for (FileId id : ids) {
      assertEquals(1, log.stream().filter(l -> l.endsWith(" D " + id.remoteName())).count());
    }
  }

  /**
   * Packed deletes that arrive together: their 'D' marks wait for no volume force (the tombstone
   * and binlog line are the durable record, and a start marks again what a crash took), and one
   * binlog force serves the batch, for the source's deletes and for a peer's deletes applied here
   * alike.
   */
  @Test
  void concurrentPackedDeletesAndAppliedPeersDeletesShareTheirForces() throws Exception {
    PackedBlobEngine packed =
        new PackedBlobEngine(
            store.vertx,
            files,
            store.disk,
            new io.dfstree.storage.packed.PackedOptions(64 * 1024, 1 << 20, true, 1 << 20, 4 << 20),
            7,
            new FileBlobEngine(files, store.disk),
            1 << 20);
    files.packed(packed);
    packed.open();
    packed.recoverDeletes(); // as a start does: deletes' marks may then wait for no volume force
    try {
      for (boolean peers : new boolean[] {false, true}) {
        List<FileId> ids = stored(packed, CONCURRENT, 100);
        io.dfstree.storage.packed.PackedStore volumes = packed.store(0);
        long batches = volumes.volumeForces();
        long[] before = files.forces().counts();
        long now = System.currentTimeMillis() / 1000;
        allAtOnce(ids, id -> peers ? packed.applyDelete(ctx, id, now) : packed.delete(ctx, id));
        long[] after = files.forces().counts();
        long volumeForces = volumes.volumeForces() - batches;
        long lines = after[2] - before[2];
        System.out.printf(
            "%d concurrent packed deletes (%s): %d volume forces, %d binlog forces, %d directory%n",
            CONCURRENT,
            peers ? "a peer's, applied" : "the source's",
            volumeForces,
            lines,
            after[1] - before[1]);
        assertEquals(0, volumeForces, "the marks wait for no volume force");
        assertTrue(lines < CONCURRENT / 4, "binlog forces: " + lines);
        char op = peers ? 'd' : 'D';
        List<String> log = java.nio.file.Files.readAllLines(dir.resolve("sync/binlog"));
        for (FileId id : ids) {
          assertFalse(on(() -> packed.exists(id)), id.remoteName());
          assertNotNull(tombstones.deletedAt(id.remoteName()), "tombstone of " + id.remoteName());
          assertEquals(
              1, log.stream().filter(l -> l.endsWith(" " + op + " " + id.remoteName())).count());
        }
      }
    } finally {
      packed.close();
    }
  }
}
