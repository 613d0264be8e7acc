package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.packed.PackedOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed engine behind the seam, with a real binlog and tombstones on disk: binlog lines
 * written by the committer after the slot's sync and rebuilt after a crash took them, downloads
 * from the one checked read, the memory cap on small uploads in flight, damaged slots found and
 * rewritten from a good copy, deletes that stay deleted across a restart.
 */
class PackedBlobEngineTest {
  static final int MAX_FILE = 64 * 1024;
  @TempDir Path dir;
  Vertx vertx;
  Context ctx;
  WorkerExecutor disk;
  StorePaths paths;
  StoredFiles files;
  PackedBlobEngine engine;
  Path binlogFile;
  long maxPending = 1 << 20;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
            .put("subdirCount", 2)
            .put("reservedSpace", "0")
            .put("id", 7);
    StorageOptions o = StorageOptions.from(c);
    paths = new StorePaths(o);
    paths.all().get(0).prepare(o.subdirCount());
    disk = vertx.createSharedWorkerExecutor("packed-engine-test", 2);
    binlogFile = dir.resolve("binlog");
    start();
  }

  /**
   * A storage's start: binlog (torn end dropped), tombstones, volumes indexed, lost lines written
   * again.
   */
  private int start() throws Exception {
    files = new StoredFiles(disk, paths, 7, "group1", true);
    files.binlog(new Binlog(binlogFile));
    files.tombstones(
        TombstoneStore.open(dir.resolve("tombstones"), 86400, true, StoredFiles.now()));
    PackedOptions po = new PackedOptions(MAX_FILE, 1 << 20, true, 1 << 20, 4 << 20);
    engine =
        new PackedBlobEngine(
            vertx, files, disk, po, 7, new FileBlobEngine(files, disk), maxPending);
    files.packed(engine);
    engine.open();
    return engine.recoverLines();
  }

  private void stop() throws Exception {
    engine.close();
    files.binlog().close();
  }

  @AfterEach
  void tearDown() throws Exception {
    stop();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private <T> T on(Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    ctx.runOnContext(
        v ->
            action
                .get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        out.complete(ar.result());
                      } else {
                        out.completeExceptionally(ar.cause());
                      }
                    }));
    return out.get(20, TimeUnit.SECONDS);
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private String store(byte[] content) throws Exception {
    return on(
        () -> {
          NewBlob b = engine.create(0, content.length, false, "bin");
          b.write(Buffer.buffer(content));
          return b.place();
        });
  }

  private List<String> binlogLines() throws Exception {
    return Files.readAllLines(binlogFile, StandardCharsets.US_ASCII);
  }

  private static int errno(Exception e) {
    Throwable t = e;
    while (t != null && !(t instanceof FdfsException)) {
      t = t.getCause();
    }
    assertNotNull(t, "not an FdfsException: " + e);
    return ((FdfsException) t).errno();
  }

  @Test
  void eachPackedUploadHasItsBinlogLineOnceItIsAcknowledged() throws Exception {
    List<Future<String>> all = new ArrayList<>();
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          for (int i = 0; i < 20; i++) {
            NewBlob b = engine.create(0, 3000, false, "jpg");
            b.write(Buffer.buffer(bytes(3000, i)));
            all.add(b.place());
          }
          Future.all(all)
              .onSuccess(cf -> names.complete(all.stream().map(Future::result).toList()))
              .onFailure(names::completeExceptionally);
        });
    List<String> placed = names.get(20, TimeUnit.SECONDS);
    List<String> lines = binlogLines();
    for (String n : placed) {
      assertEquals(FileName.TRUNK_NAME_LEN, n.length());
      assertEquals(
          1, lines.stream().filter(l -> l.endsWith(" C " + n)).count(), n + " in " + lines);
    }
  }

  @Test
  void aRestartWritesAgainTheLinesACrashTookAndDropsATornEnd() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      names.add(store(bytes(1000 + i, i)));
    }
    stop();
    // a crash after the slots' sync, before their lines': the last 4 lines lost, zeros in their
    // place
    List<String> lines = binlogLines();
    assertEquals(6, lines.size());
    String kept = String.join("\n", lines.subList(0, 2)) + "\n";
    byte[] torn = new byte[kept.length() + 300];
    System.arraycopy(kept.getBytes(StandardCharsets.US_ASCII), 0, torn, 0, kept.length());
    Files.write(binlogFile, torn);

    assertEquals(4, start(), "lines written again");
    List<String> after = binlogLines();
    assertEquals(6, after.size(), after.toString());
    for (String n : names) {
      assertEquals(1, after.stream().filter(l -> l.endsWith(" C " + n)).count(), n);
    }
    assertEquals(0, after.stream().filter(l -> l.indexOf('\0') >= 0).count(), "no zeros left");
    // a clean restart writes nothing
    stop();
    assertEquals(0, start());
    assertEquals(6, binlogLines().size());
  }

  @Test
  void smallDownloadsComeFromTheOneCheckedReadLargerOnesAsARangeOfTheVolume() throws Exception {
    byte[] small = bytes(4096, 1);
    byte[] large = bytes(MAX_FILE, 2); // over SEND_FROM_MEMORY_MAX? equal: sent from memory
    FileId s = files.validate("group1", store(small));
    BlobEngine.BlobRead r = on(() -> engine.open(s));
    assertNotNull(r.content());
    assertArrayEquals(small, r.content().getBytes());
    assertEquals(4096, r.length());
    byte[] onDisk = new byte[4096];
    try (RandomAccessFile f = new RandomAccessFile(r.path().toFile(), "r")) {
      f.seek(r.offset());
      f.readFully(onDisk);
    }
    assertArrayEquals(small, onDisk, "the location is right too (HTTP, S3 send that range)");
    FileId l = files.validate("group1", store(large));
    BlobEngine.BlobRead rl = on(() -> engine.open(l));
    assertEquals(MAX_FILE <= PackedBlobEngine.SEND_FROM_MEMORY_MAX, rl.content() != null);
  }

  @Test
  void smallUploadsInFlightAreCappedInMemoryThenStreamToFilesOfTheirOwn() throws Exception {
    stop();
    maxPending = 100 * 1024;
    start();
    byte[] a = bytes(60 * 1024, 1);
    byte[] b = bytes(60 * 1024, 2);
    List<String> names =
        on(
            () -> {
              NewBlob first = engine.create(0, a.length, false, "");
              NewBlob second =
                  engine.create(0, b.length, false, ""); // 120K > 100K: not held in memory
              assertEquals(60 * 1024, engine.pendingBytes());
              first.write(Buffer.buffer(a));
              second.write(Buffer.buffer(b));
              return Future.all(first.place(), second.place())
                  .map(cf -> List.of(cf.resultAt(0), cf.resultAt(1)));
            });
    assertEquals(FileName.TRUNK_NAME_LEN, names.get(0).length(), "packed");
    assertEquals(FileName.NORMAL_NAME_LEN, names.get(1).length(), "a file of its own");
    assertEquals(0, engine.pendingBytes(), "released once placed");
    NewBlob aborted = on(() -> Future.succeededFuture(engine.create(0, 1000, false, "")));
    assertEquals(1000, engine.pendingBytes());
    on(aborted::abort);
    assertEquals(0, engine.pendingBytes(), "released on abort");
  }

  @Test
  void aDamagedSlotIsNeverServedTheScrubFindsItAndAGoodCopyIsWrittenIntoIt() throws Exception {
    byte[] content = bytes(5000, 3);
    String name = store(content);
    FileId id = files.validate("group1", name);
    TrunkId t = TrunkId.parse(name);
    BlobEngine.BlobRead r = on(() -> engine.open(id));
    try (RandomAccessFile f = new RandomAccessFile(r.path().toFile(), "rw")) {
      f.seek(r.offset() + 100);
      f.write(content[100] ^ 0x40);
    }
    assertEquals(Errno.EIO, errno(assertThrows(Exception.class, () -> on(() -> engine.open(id)))));
    List<FileId> found = new ArrayList<>();
    engine.scrub(
        0,
        Integrity.Throttle.NONE,
        found::add,
        new java.util.concurrent.atomic.AtomicLong(),
        new java.util.concurrent.atomic.AtomicLong(),
        () -> false);
    assertEquals(List.of(id), found);

    // a copy that does not match the name either is refused; a good one is written into the slot
    byte[] bad = content.clone();
    bad[7] ^= 1;
    assertEquals(
        Errno.EIO,
        errno(
            assertThrows(
                Exception.class,
                () ->
                    on(
                        () -> {
                          NewBlob copy = engine.receive(0, -1);
                          copy.write(Buffer.buffer(bad));
                          return copy.placeCopy(ctx, id, t.createTime(), true);
                        }))));
    assertTrue(
        on(
            () -> {
              NewBlob copy = engine.receive(0, -1);
              copy.write(Buffer.buffer(content));
              return copy.placeCopy(ctx, id, t.createTime(), true);
            }));
    assertArrayEquals(content, on(() -> engine.open(id)).content().getBytes());
    assertFalse(engine.damaged(id));
    long lines = binlogLines().stream().filter(l -> l.contains(name)).count();
    assertEquals(1, lines, "a repair is not a new file for peers");
  }

  @Test
  void aDeletedPackedFileStaysDeletedAcrossARestartAndALateCopyIsRefused() throws Exception {
    byte[] content = bytes(2000, 4);
    String name = store(content);
    FileId id = files.validate("group1", name);
    on(() -> engine.delete(ctx, id));
    stop();
    start();
    assertFalse(on(() -> engine.exists(id)));
    assertEquals(
        Errno.ENOENT, errno(assertThrows(Exception.class, () -> on(() -> engine.open(id)))));
    assertEquals(
        Errno.ENOENT,
        errno(
            assertThrows(
                Exception.class,
                () ->
                    on(
                        () -> {
                          NewBlob copy = engine.receive(0, -1);
                          copy.write(Buffer.buffer(content));
                          return copy.placeCopy(ctx, id, TrunkId.parse(name).createTime(), false);
                        }))));
    assertFalse(on(() -> engine.exists(id)));
    assertTrue(binlogLines().stream().anyMatch(l -> l.endsWith(" D " + name)));
  }
}
