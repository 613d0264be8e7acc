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
  int recoveredDeletes;
  boolean fsync = true;

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
    files = new StoredFiles(disk, paths, 7, "group1", fsync);
    files.binlog(new Binlog(binlogFile));
    files.tombstones(
        TombstoneStore.open(dir.resolve("tombstones"), 86400, fsync, StoredFiles.now()));
    PackedOptions po = new PackedOptions(MAX_FILE, 1 << 20, fsync, 1 << 20, 4 << 20);
    engine =
        new PackedBlobEngine(
            vertx, files, disk, po, 7, new FileBlobEngine(files, disk), maxPending);
    files.packed(engine);
    engine.open();
    int lines = engine.recoverLines();
    recoveredDeletes = engine.recoverDeletes(); // as a storage's start does, tombstones open
    return lines;
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
    return io.dfstree.OnContext.await(ctx, action, 20);
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
    assertEquals(MAX_FILE <= PackedReads.SEND_FROM_MEMORY_MAX, rl.content() != null);
  }

  /**
   * A small slot whose pages are in the page cache is read on the event loop (no disk-thread hop),
   * checked as any read is (a damaged one is still never served) — whoever put it there: just
   * written, or from before a restart; reads off an event loop and storage.packed.inlineReadWindow
   * 0 go to a disk thread (a slot out of the page cache: the next test).
   */
  @Test
  void residentSmallSlotsAreReadOnTheEventLoopCheckedAsAnyRead() throws Exception {
    engine.inlineReadWindow(64L << 20);
    byte[] small = bytes(4096, 11);
    String name = store(small);
    FileId id = files.validate("group1", name);
    BlobEngine.BlobRead r = on(() -> engine.open(id));
    assertArrayEquals(small, r.content().getBytes());
    assertEquals(1, engine.reads.inlineReads(), "read on the event loop");

    // off an event loop (this test's thread, a worker) it never counts as inline
    BlobEngine.BlobRead fromWorker =
        engine.open(id).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertArrayEquals(small, fromWorker.content().getBytes());
    assertEquals(1, engine.reads.inlineReads());

    // a damaged slot read inline fails its CRC32 as on a disk thread (EIO: no peer to repair it)
    try (RandomAccessFile f = new RandomAccessFile(r.path().toFile(), "rw")) {
      f.seek(r.offset() + 9);
      f.write(small[9] ^ 0x10);
    }
    assertEquals(Errno.EIO, errno(assertThrows(Exception.class, () -> on(() -> engine.open(id)))));
    assertEquals(2, engine.reads.inlineReads());

    engine.inlineReadWindow(0);
    String other = store(bytes(100, 12));
    on(() -> engine.open(files.validate("group1", other)));
    assertEquals(2, engine.reads.inlineReads(), "0 turns it off");

    engine.inlineReadWindow(64L << 20);
    stop();
    start();
    engine.inlineReadWindow(64L << 20);
    assertEquals(100, on(() -> engine.open(files.validate("group1", other))).length());
    assertEquals(
        1, engine.reads.inlineReads(), "written before the restart, still in the page cache");
  }

  /**
   * A small slot this process just wrote (the old rule read it on the loop) whose pages left the
   * page cache is read on a disk thread — a loop never waits for the disk; once that read brought
   * it back, the next is served on the loop.
   */
  @Test
  void aSlotOutOfThePageCacheIsReadOnADiskThreadEvenJustWritten() throws Exception {
    engine.inlineReadWindow(64L << 20);
    byte[] cold = bytes(60 * 1024, 13);
    FileId coldId = files.validate("group1", store(cold));
    java.nio.file.Path volume = engine.store(0).locate(TrunkId.parse(coldId.remoteName())).path();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        io.dfstree.storage.packed.PageCacheEviction.evict(
            volume, 0, Files.size(volume) / 4096 * 4096),
        "no O_DIRECT on this filesystem");
    BlobEngine.BlobRead fromDisk = on(() -> engine.open(coldId));
    assertArrayEquals(cold, fromDisk.content().getBytes());
    assertEquals(0, engine.reads.inlineReads(), "not in the page cache: a disk thread read it");
    assertArrayEquals(cold, on(() -> engine.open(coldId)).content().getBytes());
    assertEquals(1, engine.reads.inlineReads(), "that read brought it back");
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
    engine.reads.scrub(
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
    assertFalse(engine.reads.damaged(id));
    long lines = binlogLines().stream().filter(l -> l.contains(name)).count();
    assertEquals(1, lines, "a repair is not a new file for peers");
  }

  /**
   * A delete's mark is answered before its volume is forced (its tombstone and binlog line are the
   * durable record, one force per round of deletes): a crash that takes the mark leaves a live slot
   * with a tombstone, which the next start marks deleted again, durably.
   */
  @Test
  void aPackedDeleteLooksForAMetadataFileOnlyOnceAPackedSlotOfItsStorePathHadOne()
      throws Exception {
    String name = store(bytes(1000, 21));
    FileId id = files.validate("group1", name);
    // a file at the slot's -m path, put there behind the note's back: a delete that looked for
    // the -m file (lstat, unlink of a deep path, per delete per member) would remove it
    Path stray = StoredFiles.metadataPath(files.pathOf(id));
    Files.createDirectories(stray.getParent());
    Files.writeString(stray, "not written through the store");
    on(() -> engine.delete(ctx, id));
    assertTrue(Files.exists(stray), "no packed slot had metadata: the delete did not look");
    Files.delete(stray);

    // a slot gets metadata: the note goes, for good (a restart keeps it gone), and the delete
    // removes the slot's -m file with it
    String other = store(bytes(1000, 22));
    FileId oid = files.validate("group1", other);
    on(
        () ->
            files
                .metadata()
                .set(
                    ctx,
                    oid,
                    (byte) 'O',
                    List.of(
                        new io.dfstree.protocol.Metadata.Entry(
                            "k".getBytes(StandardCharsets.US_ASCII),
                            "v".getBytes(StandardCharsets.US_ASCII)))));
    Path meta = StoredFiles.metadataPath(files.pathOf(oid));
    assertTrue(Files.exists(meta));
    stop();
    start();
    on(() -> engine.delete(ctx, oid));
    assertFalse(Files.exists(meta), "its -m file went with the slot");
  }

  /**
   * With fsync (the defaults), a delete that comes alone is marked, recorded and forced by the
   * volume's committer thread, which then answers: no disk thread between the mark and the answer
   * (del1: that thread's wake-up was in series with every c=1 delete). Its line is still forced
   * before the answer, and it stays deleted across a restart.
   */
  @Test
  void withFsyncALoneDeletesRoundRunsOnTheCommitterThreadAndIsForcedBeforeItsAnswer()
      throws Exception {
    List<FileId> mine = new ArrayList<>();
    List<FileId> theirs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      mine.add(files.validate("group1", store(bytes(1500, 300 + i))));
      theirs.add(files.validate("group1", store(bytes(1500, 400 + i))));
    }
    DeleteCommitter deletes = files.deletes();
    long diskRounds = deletes.rounds.sum();
    long committerRounds = deletes.committerRounds.sum();
    long forced = files.forces().counts()[2];
    for (int i = 0; i < 10; i++) {
      FileId m = mine.get(i);
      FileId t = theirs.get(i);
      on(() -> engine.delete(ctx, m));
      on(() -> engine.applyDelete(ctx, t, StoredFiles.now())); // a peer's delete
    }
    // and a peer's delete of a slot not here (any more): a tombstone, no line, same thread
    on(() -> engine.applyDelete(ctx, mine.get(0), StoredFiles.now()));
    assertEquals(
        21,
        deletes.committerRounds.sum() - committerRounds,
        "one round per delete, each on the committer's thread; disk rounds: "
            + (deletes.rounds.sum() - diskRounds));
    assertEquals(diskRounds, deletes.rounds.sum(), "no delete round on a disk thread");
    // (the background sync of the uploads' lines may add a force or two); a peer's delete's line
    // is forced by the next forced round, or by the catch-up (forceApplied), not by its own round
    assertTrue(
        files.forces().counts()[2] - forced >= 10,
        "each client delete's line forced before its answer: "
            + (files.forces().counts()[2] - forced));
    // eleven: the slot not here leaves a tombstone without a line, which its round still forces
    assertEquals(
        11, deletes.round().unforcedRounds.sum(), "the peer's rounds forced no binlog line");
    List<String> lines = binlogLines();
    for (int i = 0; i < 10; i++) {
      String m = mine.get(i).remoteName();
      String t = theirs.get(i).remoteName();
      assertEquals(1, lines.stream().filter(l -> l.endsWith(" D " + m)).count(), m);
      assertEquals(1, lines.stream().filter(l -> l.endsWith(" d " + t)).count(), t);
      assertEquals(0, lines.stream().filter(l -> l.endsWith(" d " + m)).count(), m);
    }
    stop();
    start();
    for (int i = 0; i < 10; i++) {
      FileId m = mine.get(i);
      FileId t = theirs.get(i);
      assertFalse(on(() -> engine.exists(m)), m.remoteName());
      assertFalse(on(() -> engine.exists(t)), t.remoteName());
    }
  }

  /**
   * gdel (issue 9): a catch-up poll applies a peer's deletes all at once (its lanes); their rounds
   * wrote and forced their lines one round after another (3-7 forces per 100 ms poll in a c=1
   * group, each in front of the client's next delete). Now they force nothing themselves and run on
   * the committer's thread; the catch-up's one {@code forceApplied} makes them durable before it
   * moves on or saves its mark, and a client delete's forced round covers them too.
   */
  @Test
  void withFsyncAPollsAppliedDeletesShareOneForceTakenWhenTheCatchUpAsksForIt() throws Exception {
    List<FileId> theirs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      theirs.add(files.validate("group1", store(bytes(1500, 600 + i))));
    }
    FileId mine = files.validate("group1", store(bytes(1500, 700)));
    // the uploads' lines are forced in the background (LineForcer, after a 100 ms linger): wait
    // until no force came for half a second
    long before = files.forces().counts()[2];
    for (int quiet = 0, i = 0; quiet < 5 && i < 200; i++) {
      Thread.sleep(100);
      long now = files.forces().counts()[2];
      quiet = now == before ? quiet + 1 : 0;
      before = now;
    }
    DeleteCommitter deletes = files.deletes();
    long diskRounds = deletes.rounds.sum();
    long forced = files.forces().counts()[2];
    on(
        () -> {
          List<Future<Void>> all = new ArrayList<>();
          for (FileId t : theirs) {
            all.add(engine.applyDelete(ctx, t, StoredFiles.now()));
          }
          return Future.join(all).mapEmpty();
        });
    assertEquals(
        0,
        files.forces().counts()[2] - forced,
        "no binlog force for a peer's deletes until the catch-up asks for one");
    assertEquals(
        diskRounds, deletes.rounds.sum(), "their rounds ran on the committer, no disk thread");
    assertTrue(files.changes().appliedUnforced());
    List<String> lines = binlogLines();
    for (FileId t : theirs) {
      assertEquals(
          1,
          lines.stream().filter(l -> l.endsWith(" d " + t.remoteName())).count(),
          t.remoteName());
    }
    files.changes().forceApplied(); // what the catch-up does after the poll, before its mark
    assertEquals(1, files.forces().counts()[2] - forced, "one force for the poll");
    assertFalse(files.changes().appliedUnforced());
    files.changes().forceApplied();
    assertEquals(1, files.forces().counts()[2] - forced, "nothing left to force");
    // a client's delete still forces its own round before its answer
    on(() -> engine.delete(ctx, mine));
    assertEquals(2, files.forces().counts()[2] - forced);
    // and a client's round covers a peer's deletes written before it
    FileId late = files.validate("group1", store(bytes(1500, 701)));
    FileId mine2 = files.validate("group1", store(bytes(1500, 702)));
    on(() -> engine.applyDelete(ctx, late, StoredFiles.now()));
    assertTrue(files.changes().appliedUnforced());
    on(() -> engine.delete(ctx, mine2));
    assertFalse(files.changes().appliedUnforced(), "the client's forced round covered it");
    stop();
    start();
    for (FileId t : theirs) {
      assertFalse(on(() -> engine.exists(t)), t.remoteName());
    }
    assertFalse(on(() -> engine.exists(late)));
  }

  @Test
  void withoutFsyncAPackedDeletesRoundRunsOnTheCommitterThreadAndStillRecordsIt() throws Exception {
    stop();
    fsync = false;
    start();
    // ten of each: the round is composed on the mark before it is queued, so it runs on the
    // committer's thread (before del1, 8 to 12 of 20 here: the committer could answer a mark
    // before the event loop composed on it, and the round then went to the disk pool)
    List<FileId> mineAll = new ArrayList<>();
    List<FileId> theirsAll = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      mineAll.add(files.validate("group1", store(bytes(1500, 100 + i))));
      theirsAll.add(files.validate("group1", store(bytes(1500, 200 + i))));
    }
    for (int i = 0; i < 10; i++) {
      FileId m = mineAll.get(i);
      FileId t = theirsAll.get(i);
      on(() -> engine.delete(ctx, m));
      // a peer's delete
      on(() -> engine.applyDelete(ctx, t, StoredFiles.now()));
    }
    assertTrue(
        files.deletes().inlineRounds.sum() > 0,
        "delete rounds ran on the thread that marked the slot, no disk thread woken: "
            + files.deletes().inlineRounds.sum()
            + " of 20");
    FileId id = mineAll.get(0);
    FileId tid = theirsAll.get(0);
    String mine = id.remoteName();
    String theirs = tid.remoteName();
    // a peer's delete of a slot not here (any more): answered at once, its round on a disk thread
    on(() -> engine.applyDelete(ctx, id, StoredFiles.now()));
    List<String> lines = binlogLines();
    assertEquals(1, lines.stream().filter(l -> l.endsWith(" D " + mine)).count());
    assertEquals(1, lines.stream().filter(l -> l.endsWith(" d " + theirs)).count());
    assertEquals(
        0,
        lines.stream().filter(l -> l.endsWith(" d " + mine)).count(),
        "no line: nothing removed");
    assertFalse(on(() -> engine.exists(id)));
    stop();
    start();
    assertFalse(on(() -> engine.exists(id)), "deleted across a clean restart");
    assertFalse(on(() -> engine.exists(tid)));
    assertTrue(files.deletedAtOrAfter(mine, 0));
  }

  /**
   * The storage (restarted when {@code fsync} is not what it runs with) with a read window that
   * takes in every slot written since: what decides whether a lone delete of a recent slot runs on
   * the event loop is then the fsync setting and whether the delete comes alone (w1del).
   */
  private void withFsyncAndAWideReadWindow(boolean fsync) throws Exception {
    if (this.fsync != fsync) {
      stop();
      this.fsync = fsync;
      start();
    }
    engine.inlineReadWindow(64L << 20);
  }

  /**
   * Without fsync (W=1 settings), a client's delete of a slot this process just wrote is marked,
   * recorded and answered by the event loop that got it (w1del): the committer takes no batch for
   * it, yet its tombstone and {@code D} line are written as before, it fails ENOENT a second time,
   * and it stays deleted across a clean restart. A slot from before the restart, a window of 0, or
   * fsync on: the committer marks it, as before.
   */
  @Test
  void withoutFsyncALoneDeleteOfARecentSlotIsMarkedAndRecordedOnTheEventLoop() throws Exception {
    withFsyncAndAWideReadWindow(false);
    List<FileId> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(files.validate("group1", store(bytes(1500 + i, 500 + i))));
    }
    io.dfstree.storage.packed.PackedStore s = engine.store(0);
    long batches = s.committerBatches();
    for (int i = 0; i < 10; i++) {
      FileId m = ids.get(i);
      on(() -> engine.delete(ctx, m));
    }
    assertEquals(10, s.markedNow(), "marked on the event loop");
    assertEquals(10, files.deletes().loopRounds.sum(), "recorded on the event loop");
    assertEquals(batches, s.committerBatches(), "no committer batch for these deletes");
    List<String> lines = binlogLines();
    for (int i = 0; i < 10; i++) {
      String name = ids.get(i).remoteName();
      assertEquals(1, lines.stream().filter(l -> l.endsWith(" D " + name)).count(), name);
      assertTrue(files.deletedAtOrAfter(name, 0), "tombstone of " + name);
      FileId m = ids.get(i);
      assertFalse(on(() -> engine.exists(m)));
    }
    FileId again = ids.get(0);
    assertEquals(
        Errno.ENOENT,
        errno(assertThrows(Exception.class, () -> on(() -> engine.delete(ctx, again)))));
    assertEquals(10, s.markedNow(), "nothing marked twice");

    // window 0: the committer marks it
    engine.inlineReadWindow(0);
    FileId viaCommitter = ids.get(10);
    on(() -> engine.delete(ctx, viaCommitter));
    // (not committerBatches: a recorded mark is answered inside its batch, before the count)
    assertEquals(10, s.markedNow());
    assertEquals(10, files.deletes().loopRounds.sum());
    assertFalse(on(() -> engine.exists(viaCommitter)));

    stop();
    start();
    engine.inlineReadWindow(64L << 20);
    for (int i = 0; i < 11; i++) {
      FileId m = ids.get(i);
      assertFalse(on(() -> engine.exists(m)), "deleted across a clean restart: " + m.remoteName());
      assertTrue(files.deletedAtOrAfter(m.remoteName(), 0));
    }
    // written before the restart: not "recent", the committer marks it
    FileId old = ids.get(11);
    on(() -> engine.delete(ctx, old));
    assertEquals(0, engine.store(0).markedNow());
    assertEquals(0, files.deletes().loopRounds.sum());
    assertFalse(on(() -> engine.exists(old)));
  }

  /**
   * Without fsync, a delete that comes while another client delete is still in flight goes to the
   * committer, as before w1del: under concurrency the committer takes the marks off the loops
   * (measured: every c=16 delete on the loops was slower).
   */
  @Test
  void withoutFsyncADeleteThatDoesNotComeAloneGoesToTheCommitter() throws Exception {
    withFsyncAndAWideReadWindow(false);
    FileId first = files.validate("group1", store(bytes(1500, 700)));
    FileId second = files.validate("group1", store(bytes(1500, 701)));
    engine.inlineReadWindow(0); // the first goes to the committer and is in flight...
    CompletableFuture<Future<Void>> both = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          Future<Void> a = engine.delete(ctx, first);
          // the committer marks it and is idle again, but its answer waits for this loop: the
          // first delete is still in flight (this test blocks its loop for a moment on purpose)
          TrunkId t = TrunkId.parse(first.remoteName());
          long until = System.currentTimeMillis() + 5_000;
          while (engine.store(0).contains(t) && System.currentTimeMillis() < until) {
            Thread.onSpinWait();
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          engine.inlineReadWindow(64L << 20); // ...when the second, loop-eligible, arrives
          Future<Void> b = engine.delete(ctx, second);
          both.complete(Future.all(a, b).mapEmpty());
        });
    both.get(20, TimeUnit.SECONDS)
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    assertEquals(0, engine.store(0).markedNow(), "not alone: marked by the committer");
    assertEquals(0, files.deletes().loopRounds.sum());
    assertFalse(on(() -> engine.exists(first)));
    assertFalse(on(() -> engine.exists(second)));
    // alone again: on the loop
    FileId third = files.validate("group1", store(bytes(1500, 702)));
    on(() -> engine.delete(ctx, third));
    assertEquals(1, engine.store(0).markedNow());
  }

  /**
   * With fsync on, a delete that comes alone is marked by the committer, which also runs its round
   * (del1): the window changes nothing for it.
   */
  @Test
  void withFsyncALoneDeleteIsNotMarkedOnTheEventLoop() throws Exception {
    withFsyncAndAWideReadWindow(true);
    FileId id = files.validate("group1", store(bytes(1500, 600)));
    on(() -> engine.delete(ctx, id));
    assertEquals(0, engine.store(0).markedNow());
    assertEquals(0, files.deletes().loopRounds.sum());
    assertFalse(on(() -> engine.exists(id)));
  }

  /**
   * With fsync on, a client's delete that comes while another is in flight is marked on its event
   * loop (the committer was not writing a batch) and recorded by the disk pool's round — tombstone,
   * {@code D} line, one binlog force for the deletes queued together — before its answer (grpdel2):
   * the committer takes no batch for it. It stays deleted across a restart, and when a crash took
   * its mark (written without a force of the volume, as a recorded mark in a batch is) the start
   * marks it again from its tombstone.
   */
  @Test
  void withFsyncADeleteThatDoesNotComeAloneIsMarkedOnTheLoopAndForcedByTheDiskPoolsRound()
      throws Exception {
    withFsyncAndAWideReadWindow(true);
    FileId first = files.validate("group1", store(bytes(1500, 800)));
    List<FileId> others = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      others.add(files.validate("group1", store(bytes(1500 + i, 810 + i))));
    }
    Path packedDir = dir.resolve("s0/data/packed");
    Path volume;
    try (var vols = Files.list(packedDir)) {
      volume = vols.filter(p -> p.toString().endsWith(".vol")).findFirst().orElseThrow();
    }
    List<byte[]> liveHeaders = new ArrayList<>();
    try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "r")) {
      for (FileId o : others) {
        byte[] h = new byte[64];
        f.seek(TrunkId.parse(o.remoteName()).offset());
        f.readFully(h);
        liveHeaders.add(h);
      }
    }
    io.dfstree.storage.packed.PackedStore s = engine.store(0);
    DeleteCommitter deletes = files.deletes();
    long forced = files.forces().counts()[2];
    long diskRounds = deletes.rounds.sum();
    engine.inlineReadWindow(0); // the first goes to the committer and stays in flight...
    CompletableFuture<Future<Void>> all = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          Future<Void> a = engine.delete(ctx, first);
          // the committer marks it (its round then forces outside the batch's lock), but its answer
          // waits for this loop: it is still in flight (this test blocks its loop on purpose)
          TrunkId t = TrunkId.parse(first.remoteName());
          long until = System.currentTimeMillis() + 5_000;
          while (s.contains(t) && System.currentTimeMillis() < until) {
            Thread.onSpinWait();
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          engine.inlineReadWindow(64L << 20); // ...when the others, loop-eligible, arrive
          List<Future<Void>> fs = new ArrayList<>();
          fs.add(a);
          for (FileId o : others) {
            fs.add(engine.delete(ctx, o));
          }
          all.complete(Future.all(fs).mapEmpty());
        });
    all.get(20, TimeUnit.SECONDS)
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    assertEquals(6, s.markedNow(), "the six that did not come alone: marked on the loop");
    assertEquals(6, deletes.markedOnLoop.sum());
    assertEquals(0, deletes.loopRounds.sum(), "with fsync no round runs on a loop");
    assertTrue(deletes.rounds.sum() > diskRounds, "their round ran on the disk pool");
    assertTrue(
        files.forces().counts()[2] - forced >= 2,
        "the first's round and the others' forced the binlog: "
            + (files.forces().counts()[2] - forced));
    List<String> lines = binlogLines();
    for (FileId o : others) {
      String name = o.remoteName();
      assertEquals(1, lines.stream().filter(l -> l.endsWith(" D " + name)).count(), name);
      assertTrue(files.deletedAtOrAfter(name, 0), "tombstone of " + name);
      assertFalse(on(() -> engine.exists(o)));
    }
    FileId again = others.get(0);
    engine.inlineReadWindow(64L << 20);
    assertEquals(
        Errno.ENOENT,
        errno(assertThrows(Exception.class, () -> on(() -> engine.delete(ctx, again)))));
    assertFalse(on(() -> engine.exists(first)));

    stop();
    // a crash took the six marks (written on the loop, not yet forced with their volume): the
    // headers say live again and no index checkpoint says otherwise
    try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
      for (int i = 0; i < others.size(); i++) {
        f.seek(TrunkId.parse(others.get(i).remoteName()).offset());
        f.write(liveHeaders.get(i));
      }
    }
    try (var idx = Files.list(packedDir)) {
      for (Path p : idx.filter(p -> p.toString().endsWith(".idx")).toList()) {
        Files.delete(p);
      }
    }
    start();
    assertEquals(6, recoveredDeletes, "marked again from their tombstones");
    for (FileId o : others) {
      assertFalse(on(() -> engine.exists(o)), "deleted across the restart: " + o.remoteName());
    }
    assertFalse(on(() -> engine.exists(first)));
  }

  @Test
  void aDeleteWhoseMarkACrashTookIsMarkedAgainFromItsTombstoneAtStart() throws Exception {
    byte[] content = bytes(3000, 9);
    String name = store(content);
    FileId id = files.validate("group1", name);
    TrunkId t = TrunkId.parse(name);
    Path packedDir = dir.resolve("s0/data/packed");
    Path volume;
    try (var vols = Files.list(packedDir)) {
      volume = vols.filter(p -> p.toString().endsWith(".vol")).findFirst().orElseThrow();
    }
    byte[] liveHeader = new byte[64];
    try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "r")) {
      f.seek(t.offset());
      f.readFully(liveHeader);
    }
    on(() -> engine.delete(ctx, id));
    assertFalse(on(() -> engine.exists(id)));
    stop();
    // the crash took the mark: the slot's header says live again, and no index checkpoint says
    // otherwise (the tombstone and the binlog line were made durable before the answer)
    try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
      f.seek(t.offset());
      f.write(liveHeader);
    }
    try (var idx = Files.list(packedDir)) {
      for (Path p : idx.filter(p -> p.toString().endsWith(".idx")).toList()) {
        Files.delete(p);
      }
    }
    start();
    assertEquals(1, recoveredDeletes, "the slot marked again from its tombstone");
    assertFalse(on(() -> engine.exists(id)));
    assertEquals(
        Errno.ENOENT, errno(assertThrows(Exception.class, () -> on(() -> engine.open(id)))));
    // marked for good: a clean restart finds nothing to mark
    stop();
    start();
    assertEquals(0, recoveredDeletes);
    assertFalse(on(() -> engine.exists(id)));
    assertEquals(1, binlogLines().stream().filter(l -> l.endsWith(" D " + name)).count());
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

  /**
   * A slot of a peer (storage 8), written by that peer's own store: its name and bytes, as a
   * replica push, a catch-up fetch or a read-your-write fetch would offer them here.
   */
  private record PeerSlot(FileId id, TrunkId trunk, byte[] content) {}

  private PeerSlot peerSlot(int size, long seed, int createTime) throws Exception {
    byte[] content = bytes(size, seed);
    PackedOptions po = new PackedOptions(MAX_FILE, 1 << 20, false, 1 << 20, 4 << 20);
    try (io.dfstree.storage.packed.PackedStore peer =
        io.dfstree.storage.packed.PackedStore.open(
            dir.resolve("peer" + seed), 0, Integer.reverseBytes(8), po)) {
      TrunkId t = peer.append(java.nio.ByteBuffer.wrap(content), "bin").get(20, TimeUnit.SECONDS);
      // the same slot as the peer made it, at the time its clock gave
      TrunkId at =
          new TrunkId(
              t.storePathIndex(),
              t.sourceKey(),
              createTime,
              t.sizeHigh(),
              t.fileSize(),
              t.crc32(),
              t.volume(),
              t.offset(),
              t.slotLength(),
              t.extPart());
      return new PeerSlot(files.validate("group1", at.remoteName()), at, content);
    }
  }

  private Future<Boolean> offer(PeerSlot s, long mtime) {
    NewBlob copy = engine.receive(0, -1);
    copy.write(Buffer.buffer(s.content()));
    return copy.placeCopy(ctx, s.id(), mtime, false);
  }

  @Test
  void aPeersDeleteKeepsOutItsCopyMadeInTheSameSecondOrOnAClockAhead() throws Exception {
    // a copy stamped with the very second of the delete, or later (its source's clock runs ahead):
    // a trunk name is generated, never given twice, so any copy after its delete is stale
    for (long skew : new long[] {0, 90}) {
      PeerSlot s = peerSlot(3000, 20 + skew, (int) (StoredFiles.now() + skew));
      // the slot is not here yet: a tombstone, at this member's time
      on(() -> engine.applyDelete(ctx, s.id(), StoredFiles.now()));
      long mtime = files.tombstones().deletedAt(s.id().remoteName()) + skew;
      assertTrue(files.deletedSince(s.id(), mtime), "stale at +" + skew + " s");
      assertEquals(
          Errno.ENOENT,
          errno(assertThrows(Exception.class, () -> on(() -> offer(s, mtime)))),
          "the copy is refused as from a peer without it");
      assertFalse(on(() -> engine.exists(s.id())), "not placed (+" + skew + " s)");
      assertEquals(0, engine.pendingBytes());
    }
    assertTrue(
        binlogLines().stream().noneMatch(l -> l.contains(" c ")), "no copy line: " + binlogLines());
  }

  @Test
  void aPeersCopyOfferedWhileItsDeleteIsAppliedIsNotPlacedBehindTheDelete() throws Exception {
    // the delete and the copy meet (a replica in flight, a catch-up line), the delete first. The
    // copy's check must not pass before the delete's tombstone is written (on a disk thread) and
    // its slot then be placed after the delete found none: that delete's line counts as applied.
    // The disk threads are held busy until both have started, as a loaded machine holds them.
    PeerSlot s = peerSlot(2500, 30, (int) (StoredFiles.now() - 100));
    long mtime = s.trunk().createTime();
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(2);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < 2; i++) { // the test's disk pool has two threads
      disk.executeBlocking(
          () -> {
            busy.countDown();
            return gate.await(20, TimeUnit.SECONDS);
          },
          false);
    }
    assertTrue(busy.await(20, TimeUnit.SECONDS));
    CompletableFuture<Void> both = new CompletableFuture<>();
    List<Future<?>> results = new ArrayList<>();
    ctx.runOnContext(
        v -> {
          results.add(engine.applyDelete(ctx, s.id(), StoredFiles.now()));
          results.add(offer(s, mtime));
          Future.join(results.get(0), results.get(1)).onComplete(ar -> both.complete(null));
        });
    Thread.sleep(300); // the copy, unless it waits for the delete, is placed meanwhile
    gate.countDown();
    both.get(20, TimeUnit.SECONDS);
    assertTrue(results.get(0).succeeded(), "the delete applied");
    assertFalse(on(() -> engine.exists(s.id())), "the copy did not come back behind its delete");
    assertTrue(results.get(1).failed(), "the copy is refused");
    // and stays out after a restart (tombstone and volume both read back)
    stop();
    start();
    assertFalse(on(() -> engine.exists(s.id())));
    assertEquals(
        Errno.ENOENT, errno(assertThrows(Exception.class, () -> on(() -> offer(s, mtime)))));
  }

  /** Holds both threads of the test's disk pool until the returned latch is opened. */
  private java.util.concurrent.CountDownLatch holdDiskPool() throws Exception {
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(2);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < 2; i++) {
      disk.executeBlocking(
          () -> {
            busy.countDown();
            return gate.await(20, TimeUnit.SECONDS);
          },
          false);
    }
    assertTrue(busy.await(20, TimeUnit.SECONDS));
    return gate;
  }

  @Test
  void aPeersCompleteCopyIsPlacedWithoutATurnThroughTheDiskPool() throws Exception {
    // the W=2 acknowledgement waits for this: received, forced (nothing to force), placed by the
    // committer. The disk pool is held busy throughout: a copy that needed a turn there would wait
    PeerSlot s = peerSlot(4000, 40, (int) (StoredFiles.now() - 10));
    java.util.concurrent.CountDownLatch gate = holdDiskPool();
    try {
      boolean placed =
          on(
              () -> {
                NewBlob copy = engine.receive(0, s.content().length);
                copy.sourceGone(() -> false);
                copy.write(Buffer.buffer(s.content()));
                Future<Long> forced = copy.force();
                assertTrue(forced.isComplete(), "a packed copy's force answers at once");
                assertEquals(s.content().length, forced.result());
                return copy.placeCopy(ctx, s.id(), s.trunk().createTime(), false);
              });
      assertTrue(placed, "placed while the disk pool is busy");
      assertTrue(on(() -> engine.exists(s.id())));
    } finally {
      gate.countDown();
    }
    assertEquals(0, engine.pendingBytes());
    assertEquals(0, engine.store(0).abandonedCopies());
    assertTrue(
        binlogLines().stream().anyMatch(l -> l.endsWith(" c " + s.id().remoteName())),
        "its copy line: " + binlogLines());
  }

  @Test
  void aCopyWhoseSourceHungUpBeforeTheCommitterTookItIsNotPlaced() throws Exception {
    // the source hangs up after the copy was handed to the committer but before the committer
    // takes it into a batch (it is busy with the batch before): the committer asks then, and
    // writes nothing of it. A copy whose source is still there, in the batch before, is placed.
    PeerSlot first = peerSlot(3000, 41, (int) (StoredFiles.now() - 10));
    PeerSlot second = peerSlot(3500, 42, (int) (StoredFiles.now() - 10));
    java.util.concurrent.CountDownLatch committerHeld = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean hungUp =
        new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<Future<Boolean>> firstResult = new CompletableFuture<>();
    CompletableFuture<Future<Boolean>> secondResult = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          NewBlob a = engine.receive(0, first.content().length);
          a.sourceGone(
              () -> { // asked on the committer thread: holds it until the second copy is queued
                committerHeld.countDown();
                try {
                  assertTrue(release.await(20, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return false;
              });
          a.write(Buffer.buffer(first.content()));
          firstResult.complete(a.placeCopy(ctx, first.id(), first.trunk().createTime(), false));
        });
    assertTrue(committerHeld.await(20, TimeUnit.SECONDS));
    ctx.runOnContext(
        v -> {
          NewBlob b = engine.receive(0, second.content().length);
          b.sourceGone(hungUp::get);
          b.write(Buffer.buffer(second.content()));
          secondResult.complete(b.placeCopy(ctx, second.id(), second.trunk().createTime(), false));
        });
    Future<Boolean> secondFuture = secondResult.get(20, TimeUnit.SECONDS);
    Thread.sleep(100); // the second copy is queued behind the held batch
    assertFalse(secondFuture.isComplete());
    hungUp.set(true); // the source hangs up: after placeCopy, before the committer took the copy
    release.countDown();
    Future<Boolean> firstFuture = firstResult.get(20, TimeUnit.SECONDS);
    assertTrue(on(() -> firstFuture), "the first copy is placed");
    Exception refused =
        assertThrows(Exception.class, () -> on(() -> secondFuture), "the abandoned copy fails");
    assertEquals(Errno.EIO, errno(refused));
    assertTrue(on(() -> engine.exists(first.id())));
    assertFalse(on(() -> engine.exists(second.id())), "a copy its source abandoned was placed");
    assertEquals(1, engine.store(0).abandonedCopies());
    assertEquals(0, engine.pendingBytes(), "its memory is given back");
    assertTrue(
        binlogLines().stream().noneMatch(l -> l.endsWith(" c " + second.id().remoteName())),
        "no line for the abandoned copy: " + binlogLines());
    // and nothing of it after a restart either (the volume is scanned again)
    stop();
    start();
    assertFalse(on(() -> engine.exists(second.id())));
    assertTrue(on(() -> engine.exists(first.id())));
  }
}
