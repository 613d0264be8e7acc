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

  /** The tombstone rides on the binlog's force (issue 10): no force of its own. */
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
    long[] f = forcesOf(() -> engine.delete(ctx, id));
    assertArrayEquals(new long[] {0, 1, 1}, f, "data, directory, binlog: " + files.forces());
    assertNotNull(tombstones.deletedAt(name), "the delete left its tombstone");
  }
}
