package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-file engine through the {@link BlobEngine} seam only: what a packed engine must also do.
 */
class FileBlobEngineTest {
  @TempDir Path dir;
  Vertx vertx;
  Context ctx;
  StoredFiles files;
  BlobEngine engine;

  OneStorePath store;

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "0");
    vertx = store.vertx;
    ctx = vertx.getOrCreateContext();
    files = store.files;
    engine = new BlobEngines(List.of(new FileBlobEngine(files, store.disk))).forNew(5, false);
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  /** Runs {@code action} on the test's event-loop context and waits for its future. */
  private <T> T on(Supplier<Future<T>> action) throws Exception {
    return io.dfstree.OnContext.await(ctx, action, 10);
  }

  private String store(String content, String ext) throws Exception {
    byte[] bytes = content.getBytes();
    return on(
        () -> {
          NewBlob b = engine.create(0, bytes.length, false, ext);
          b.write(Buffer.buffer(bytes));
          return b.place();
        });
  }

  @Test
  void placedBlobIsNamedFromSizeAndCrcAndReadsBackAsARangeOfAFile() throws Exception {
    String name = store("hello", "txt");
    FileName.Decoded d = FileName.decode(name);
    CRC32 crc = new CRC32();
    crc.update("hello".getBytes());
    assertEquals(crc.getValue(), d.crc32Unsigned());
    assertTrue(name.endsWith(".txt"));
    FileId id = files.validate(files.group(), name);
    BlobEngine.BlobRead r = on(() -> engine.open(id));
    assertEquals(5, r.length());
    assertEquals(
        "hello",
        new String(Files.readAllBytes(r.path()))
            .substring((int) r.offset(), (int) (r.offset() + 5)));
    assertEquals(2, r.fileOffset(2) - r.offset());
    assertTrue(on(() -> engine.exists(id)));
  }

  @Test
  void deleteRemovesTheBlobAndASecondDeleteIsEnoent() throws Exception {
    FileId id = files.validate(files.group(), store("bye", ""));
    on(() -> engine.delete(ctx, id));
    assertFalse(on(() -> engine.exists(id)));
    Exception e = assertThrows(Exception.class, () -> on(() -> engine.delete(ctx, id)));
    assertEquals(io.dfstree.protocol.Errno.ENOENT, ((FdfsException) e.getCause()).errno());
    Exception open = assertThrows(Exception.class, () -> on(() -> engine.open(id)));
    assertInstanceOf(FdfsException.class, open.getCause());
  }

  @Test
  void nameChosenBeforePlacingIsTheNameItIsPlacedUnder() throws Exception {
    byte[] bytes = "quorum".getBytes();
    CRC32 crc = new CRC32();
    crc.update(bytes);
    String placed =
        on(
            () -> {
              NewBlob b = engine.create(0, bytes.length, false, "bin").withoutCrc();
              b.write(Buffer.buffer(bytes));
              long now = System.currentTimeMillis() / 1000;
              String name = b.name((int) crc.getValue(), now);
              return b.placeAs(name, now)
                  .map(
                      n -> {
                        assertEquals(name, n);
                        return n;
                      });
            });
    assertEquals(crc.getValue(), FileName.decode(placed).crc32Unsigned());
    assertTrue(on(() -> engine.exists(files.validate(files.group(), placed))));
  }

  @Test
  void peerCopyArrivesBeforeItsNameAndIsPlacedOnceOnly() throws Exception {
    String name = store("copy", "txt");
    FileId id = files.validate(files.group(), name);
    on(() -> engine.delete(ctx, id));
    // the delete left a tombstone: a stale copy is refused as ENOENT
    Exception stale =
        assertThrows(
            Exception.class,
            () ->
                on(
                    () -> {
                      NewBlob b = engine.receive(0, 4);
                      b.write(Buffer.buffer("copy"));
                      return b.force()
                          .compose(
                              n ->
                                  b.placeCopy(
                                      ctx,
                                      id,
                                      FileName.decode(name).createTime() & 0xFFFFFFFFL,
                                      false));
                    }));
    assertEquals(io.dfstree.protocol.Errno.ENOENT, ((FdfsException) stale.getCause()).errno());

    String other = store("other", "txt");
    FileId otherId = files.validate(files.group(), other);
    boolean placedAgain =
        on(
            () -> {
              NewBlob b = engine.receive(0, 5);
              b.write(Buffer.buffer("other"));
              return b.force()
                  .compose(
                      n -> {
                        assertEquals(5L, n);
                        return b.placeCopy(ctx, otherId, System.currentTimeMillis() / 1000, false);
                      });
            });
    assertFalse(placedAgain, "a create of a name already held is a no-op");
  }

  @Test
  void abortLeavesNothingInTheTempDirectory() throws Exception {
    on(
        () -> {
          NewBlob b = engine.create(0, 10, false, "");
          b.write(Buffer.buffer("12345"));
          return b.abort();
        });
    try (var s = Files.walk(files.paths().get(0).tmp)) {
      assertEquals(0, s.filter(Files::isRegularFile).count());
    }
  }

  @Test
  void listPagesThroughEveryBlobInNameOrderWithoutMetadataFiles() throws Exception {
    List<String> stored = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      stored.add(store("blob-" + i, "dat"));
    }
    FileId first = files.validate(files.group(), stored.get(0));
    on(
        () ->
            files
                .metadata()
                .set(
                    ctx,
                    first,
                    (byte) 'O',
                    List.of(io.dfstree.protocol.Metadata.Entry.of("k", "v"))));
    List<String> seen = new ArrayList<>();
    String after = null;
    for (int page = 0; page < 10; page++) {
      String cursor = after;
      List<BlobEngine.BlobEntry> got = on(() -> engine.list(0, cursor, 3));
      if (got.isEmpty()) {
        break;
      }
      assertTrue(got.size() <= 3);
      for (BlobEngine.BlobEntry e : got) {
        seen.add(e.remoteName());
        assertEquals(FileName.decode(e.remoteName()).fileSize(), e.size());
      }
      after = got.get(got.size() - 1).remoteName();
    }
    List<String> expected = new ArrayList<>(stored);
    expected.sort(null);
    assertEquals(expected, seen);
  }
}
