package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.packed.LineForcer;
import io.dfstree.storage.packed.MemoryBudget;
import io.dfstree.storage.packed.PackedOptions;
import io.dfstree.storage.packed.PackedStore;
import io.dfstree.storage.packed.SlotLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletionStage;

/**
 * The packed small-file engine behind the seam: small, non-appender uploads become slots of volume
 * files ({@link PackedStore}, one per store path) named by FastDFS trunk file IDs; their bytes are
 * held in memory until placed (at most {@code storage.packed.maxFileSize} each, and {@code
 * storage.packed.maxPendingBytes} in all: past it a small upload is stored as a file of its own).
 * The binlog line of a new slot is written by the volume's committer once the slot is durable,
 * without a sync of its own ({@link LineForcer} syncs lines in the background and {@link
 * #recoverLines} writes again at start those a crash took), so a batch of uploads costs one {@code
 * fdatasync}. Deletes, tombstones and metadata stay with {@link StoredFiles}, as for plain files,
 * so catch-up, deletes and {@code -m} files work the same.
 *
 * <p>A delete's mark is answered without a force of its volume once {@link #recoverDeletes} ran:
 * its tombstone and binlog line are the record ({@link DeleteCommitter}).
 *
 * <p>A new upload or a peer's copy is a {@link PackedNewBlob} until placed; downloads, the repair
 * of a damaged slot before it is served and the scrub are {@link PackedReads}; what a start repairs
 * after a crash is {@link PackedRecovery}.
 */
final class PackedBlobEngine implements BlobEngine {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(PackedBlobEngine.class);

  final Vertx vertx;
  final StoredFiles files;
  private final WorkerExecutor disk;
  final PackedOptions options;
  private final int sourceKey;
  final FileBlobEngine plain;
  final MemoryBudget pending;
  private volatile PackedStore[] stores = new PackedStore[0];
  private LineForcer forcer;

  /** Downloads, repairs before serving, the scrub. */
  final PackedReads reads;

  /**
   * A restart re-records the own slots created this long before the newest one, when their lines
   * are missing.
   */
  static final long RECOVER_SECONDS = 300;

  /**
   * How long the binlog lines of new slots wait for those of the next batches before one sync
   * covers them all ({@link LineForcer}): at most 10 binlog syncs a second for packed slots,
   * instead of one per batch. A crash takes no more than before: the lines are not awaited by any
   * acknowledgement, and a restart writes again those it took.
   */
  static final long LINE_SYNC_LINGER_MS = 100;

  private volatile long inlineReadWindow;

  static final long COMPACT_INTERVAL_MS = 60_000;
  private long compactTimer = -1;
  private volatile boolean compacting;

  PackedBlobEngine(
      Vertx vertx,
      StoredFiles files,
      WorkerExecutor disk,
      PackedOptions options,
      int storageId,
      FileBlobEngine plain,
      long maxPendingBytes) {
    this.pending = new MemoryBudget(maxPendingBytes);
    this.vertx = vertx;
    this.files = files;
    this.disk = disk;
    this.options = options;
    this.sourceKey = Integer.reverseBytes(storageId); // the payload's little-endian id, as 4 bytes
    this.plain = plain;
    this.reads = new PackedReads(files, disk, this::store, () -> inlineReadWindow);
  }

  /** Opens the volumes of every store path and rebuilds their indexes. Blocking: at start. */
  void open() throws IOException {
    List<StorePath> all = files.paths().all();
    PackedStore[] opened = new PackedStore[all.size()];
    SlotLog log = new BinlogLines();
    // the lines of at most a quarter of the window a restart re-reads may wait for their sync
    forcer =
        options.fsync()
            ? new LineForcer(
                log, options.verifyTail() / 4, LINE_SYNC_LINGER_MS, "packed-binlog-sync")
            : null;
    PackedMetadataNote[] noted = new PackedMetadataNote[all.size()];
    for (StorePath p : all) {
      opened[p.index] = PackedStore.open(p.root, p.index, sourceKey, options, log, forcer);
      // the round of the deletes whose marks a batch wrote, on the committer's thread after it
      opened[p.index].afterBatch(idle -> files.deletes().committerBatchEnded(idle));
      noted[p.index] = PackedMetadataNote.open(p.root, opened[p.index].stats().volumes() == 0);
    }
    notes = noted;
    stores = opened;
    compactTimer = vertx.setPeriodic(COMPACT_INTERVAL_MS, t -> compactAll());
  }

  /**
   * Every minute, on a disk worker: the blocks of deleted slots go back to the filesystem, then the
   * indexes of changed volumes are checkpointed. Neither touches live slots, so uploads and reads
   * go on meanwhile.
   */
  private void compactAll() {
    if (compacting) {
      return;
    }
    compacting = true;
    disk.executeBlocking(
            () -> {
              for (PackedStore s : stores) {
                s.compact();
                s.checkpoint(); // the index of changed volumes, for a restart in seconds
              }
              return null;
            },
            false)
        .onComplete(
            ar -> {
              compacting = false;
              if (ar.failed()) {
                LOG.warn("packed compaction failed: {}", ar.cause().toString());
              }
            });
  }

  /** Blocking: at stop. */
  void close() throws IOException {
    vertx.cancelTimer(compactTimer);
    for (PackedStore s : stores) {
      s.close();
    }
    if (forcer != null) {
      forcer.close();
    }
  }

  /** The binlog as the committers see it: lines written, synced by the {@link LineForcer}. */
  private final class BinlogLines implements SlotLog {
    @Override
    public void placed(List<Placed> slots) throws IOException {
      Binlog log = files.binlog();
      if (log == null) {
        return;
      }
      List<String> lines = new ArrayList<>(slots.size());
      for (Placed p : slots) {
        lines.add(
            Binlog.line(
                p.timestamp(),
                p.copy() ? Character.toLowerCase(Binlog.CREATE) : Binlog.CREATE,
                p.id().remoteName()));
      }
      log.appendUnsynced(lines);
    }

    @Override
    public void force() throws IOException {
      Binlog log = files.binlog();
      if (log != null) {
        log.forceShared();
      }
    }
  }

  /** See {@link PackedRecovery#lines}. Blocking, at start, once the binlog is open. */
  int recoverLines() throws IOException {
    return PackedRecovery.lines(files, stores, options);
  }

  /** Set once {@link #recoverDeletes} ran: a restart then marks again what a crash took. */
  private volatile boolean deletesRecovered;

  /**
   * Whether a delete's mark may be answered without a force of its volume: its tombstone and binlog
   * line are made durable by the delete's round ({@link DeleteCommitter}: one binlog force for all
   * the deletes of a round), and a start applies every tombstone to the slots again ({@link
   * #recoverDeletes}). So a packed delete costs a share of one force, not of two.
   */
  private boolean deletesRecorded() {
    return deletesRecovered && files.tombstones() != null && files.binlog() != null;
  }

  /**
   * See {@link PackedRecovery#deletes}. Blocking, at start, once the tombstones are open; until it
   * ran, deletes wait for their volume's force.
   */
  int recoverDeletes() throws IOException {
    int marked = PackedRecovery.deletes(files, this);
    deletesRecovered = true;
    return marked;
  }

  /** Bytes of small uploads held in memory now (metrics, tests). */
  long pendingBytes() {
    return pending.used();
  }

  /**
   * Per store path: whether its packed slots may have {@code -m} files ({@link
   * PackedMetadataNote}).
   */
  private volatile PackedMetadataNote[] notes;

  /** Whether the packed slot {@code id} may have a {@code -m} file (a delete must look for it). */
  boolean mayHaveMetadata(FileId id) {
    PackedMetadataNote[] n = notes;
    return n == null || n[id.storePathIndex()].mayHaveMetadata();
  }

  /**
   * Blocking: before a {@code -m} file of a packed slot is written ({@link PackedMetadataNote}).
   */
  void beforeMetadataWrite(FileId id) throws IOException {
    notes[id.storePathIndex()].beforeMetadataWrite();
  }

  PackedStore store(int storePathIndex) {
    PackedStore[] s = stores;
    if (storePathIndex < 0 || storePathIndex >= s.length) {
      throw FdfsException.invalid("no store path M" + storePathIndex);
    }
    return s[storePathIndex];
  }

  @Override
  public String name() {
    return "packed";
  }

  @Override
  public boolean accepts(long size, boolean appender) {
    return !appender && size >= 0 && size <= options.maxFileSize() && stores.length > 0;
  }

  @Override
  public boolean owns(FileId id) {
    return id.remoteName().length() == io.dfstree.fileid.FileName.TRUNK_NAME_LEN
        && id.decoded().trunk();
  }

  @Override
  public NewBlob create(int storePathIndex, long size, boolean appender, String ext) {
    if (!pending.tryTake(size)) {
      // the memory for small uploads in flight is taken: this one streams to a file of its own
      return plain.create(storePathIndex, size, appender, ext);
    }
    return new PackedNewBlob(this, storePathIndex, size, ext, false);
  }

  @Override
  public NewBlob receive(int storePathIndex, long size) {
    return new PackedNewBlob(this, storePathIndex, size, "", true);
  }

  @Override
  public Future<BlobRead> open(FileId id) {
    return reads.open(id);
  }

  /**
   * {@code storage.packed.inlineReadWindow} (0: every read on a disk thread): see {@link
   * PackedReads#readsInline}.
   */
  void inlineReadWindow(long bytes) {
    this.inlineReadWindow = Math.max(0, bytes);
  }

  @Override
  public Future<Boolean> exists(FileId id) {
    return Future.succeededFuture(
        store(id.storePathIndex()).contains(TrunkId.of(id)));
  }

  /**
   * Deletes, applied deletes and peers' copies of one slot hold its lock from the check of its
   * tombstone to the tombstone written ({@link StoredFiles#withLock}), as plain files do: a copy
   * checked before a delete's tombstone was written, then placed after that delete found no slot,
   * would stay for good (the delete's line counts as applied).
   */
  @Override
  public Future<Void> delete(Context ctx, FileId id) {
    TrunkId t = TrunkId.of(id);
    PackedStore s = store(id.storePathIndex());
    // alone: no other client delete in flight on this storage (see deletesOnLoop)
    boolean alone = deletesInFlight.incrementAndGet() == 1;
    Future<Void> done =
        files.withLock(
            ctx,
            id,
            () -> {
              // without fsync a lone delete is marked and recorded here; with fsync one that comes
              // with others is marked here and recorded in the disk pool's next round
              boolean recordsOnLoop = alone && deletesOnLoop(s, id, t);
              if (recordsOnLoop || !alone && marksOnLoopWithFsync(s, t)) {
                boolean marked;
                try {
                  marked = s.markDeletedNow(t);
                } catch (IOException | RuntimeException e) {
                  return Future.failedFuture(e); // ENOENT as from the committer
                }
                if (marked) {
                  return recordsOnLoop
                      ? files.deletes().packedOnLoop(ctx, id, true)
                      : files.deletes().packedMarkedOnLoop(ctx, id);
                }
              }
              return markThenRecord(ctx, s, id, t, true);
            });
    done.onComplete(ar -> deletesInFlight.decrementAndGet());
    return done;
  }

  /**
   * Client deletes begun and not yet answered. Only a delete that comes alone is done on the event
   * loop: under concurrency (c=16) the volume's committer takes the marks and rounds off the loops,
   * as before — measured (benchmark/PROFILE.md, w1del run 4): with every delete on the loops, a
   * single node's c=16 deletes ran at 4,500-4,800/s against 7,000-7,900/s through the committer,
   * the two loops contending for the binlog's and tombstones' locks and the commit lock.
   */
  private final java.util.concurrent.atomic.AtomicInteger deletesInFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Whether a client's delete of {@code t} is done on the calling event loop, without fsync: mark,
   * tombstone, binlog line, answer, no thread woken (issue 9, w1del; benchmark/PROFILE.md). The
   * exception to "no disk work on an event loop", as {@link PackedReads#readsInline} is for reads:
   * with fsync off all three are writes to the page cache (a 32-byte header read and rewrite, two
   * appends of ~75 bytes), where the committer's and the loop's wake-ups cost more than the writes.
   * Only for a slot this process wrote within {@code storage.packed.inlineReadWindow} (its header
   * is in memory unless memory is short: then one small read blocks this loop), when the committer
   * is not writing a batch (never waits for it: {@link PackedStore#markDeletedNow}), and when the
   * round would neither rotate the binlog nor compact the tombstones ({@link
   * DeleteCommitter#mayRecordOnLoop}). Everything else goes through the committer as before; with
   * fsync on see {@link #marksOnLoopWithFsync}.
   */
  private boolean deletesOnLoop(PackedStore s, FileId id, TrunkId t) {
    long window = inlineReadWindow;
    return window > 0
        && !options.fsync()
        && deletesRecorded()
        && s.recentlyWritten(t, window)
        && files.deletes().mayRecordOnLoop(id);
  }

  /**
   * With fsync, whether a client's delete of {@code t} that does not come alone (others in flight)
   * has its {@code D} mark written on the calling event loop, its round — tombstone, binlog line,
   * one binlog force shared with the deletes queued with it — then run by the delete committer on
   * the disk pool, and its answer on this loop once that force ended (issue 9, grpdel2). Through
   * the volume's committer such a delete took one hand-off more (event loop → committer → disk
   * thread → event loop): under concurrency the committer's round goes to the disk pool anyway
   * ({@link DeleteCommitter#committerBatchEnded}), so its thread only wrote the mark, woken once
   * per delete or two (benchmark/PROFILE.md, grpdel2: a group's c=16 rounds held 2.9 client
   * deletes). The mark is a 32-byte header read and rewrite in the page cache, as in {@link
   * #deletesOnLoop}: same window rule (a slot this process wrote recently), never waits for a
   * batch, never inside an index checkpoint; the volume's force of the mark comes later, as for a
   * recorded mark written by the committer ({@link PackedStore#markDeletedNow}). A delete that
   * comes alone keeps del1's path (mark and round on the committer, two hand-offs).
   */
  private boolean marksOnLoopWithFsync(PackedStore s, TrunkId t) {
    long window = inlineReadWindow;
    return window > 0 && options.fsync() && deletesRecorded() && s.recentlyWritten(t, window);
  }

  /** A peer's delete (binlog {@code D}): tombstone even when the slot is not here (yet). */
  Future<Void> applyDelete(Context ctx, FileId id, long ts) {
    TrunkId t = TrunkId.of(id);
    return files.withLock(
        ctx, id, () -> markThenRecord(ctx, store(id.storePathIndex()), id, t, false));
  }

  /**
   * Queues the mark of {@code t} on its volume's committer, then the rest of the delete (tombstone,
   * line, force): composed before the mark is queued, so it always runs on the committer's thread
   * once the mark is written, and its round runs on that thread after the batch when nothing else
   * waits for it (DeleteCommitter#committerBatchEnded) — a client's delete wakes the committer and
   * then the event loop, no disk thread; a peer's (woke four threads, now three, or two), no hop
   * back to the event loop in between (see DeleteCommitter#packed).
   *
   * <p>{@code local}: a client's delete, which fails with its mark (ENOENT when the slot is not
   * here). A peer's is tombstoned either way, with a line only when a slot was deleted here (as for
   * plain files): two members would otherwise log each other's delete back and forth for ever.
   */
  private Future<Void> markThenRecord(
      Context ctx, PackedStore s, FileId id, TrunkId t, boolean local) {
    return on(
        ctx,
        s.delete(
            t,
            deletesRecorded(),
            mark ->
                (local ? mark.thenApply(v -> true) : mark.handle((v, err) -> err == null))
                    .thenCompose(
                        slotDeleted ->
                            files
                                .afterPackedDelete(ctx, id, local, slotDeleted)
                                .toCompletionStage())));
  }

  @Override
  public Future<List<BlobEntry>> list(int storePathIndex, String after, int limit) {
    PackedStore s = store(storePathIndex);
    String from = after == null ? "" : after;
    return disk.executeBlocking(
        () -> {
          // names do not follow slot order: keep the `limit` smallest names after `from` while
          // reading the headers (memory: one page, not the store path)
          PriorityQueue<BlobEntry> page =
              new PriorityQueue<>(Comparator.comparing(BlobEntry::remoteName).reversed());
          s.list(
              t -> {
                String name = t.remoteName();
                if (name.compareTo(from) > 0
                    && (page.size() < limit || name.compareTo(page.peek().remoteName()) < 0)) {
                  page.add(new BlobEntry(name, t.fileSize(), t.createTime() & 0xFFFFFFFFL));
                  if (page.size() > limit) {
                    page.poll();
                  }
                }
              });
          List<BlobEntry> out = new ArrayList<>(page);
          out.sort(Comparator.comparing(BlobEntry::remoteName));
          return out;
        },
        false);
  }

  /** {@code stage}'s outcome on {@code ctx} (committers complete on their own threads). */
  static <T> Future<T> on(Context ctx, CompletionStage<T> stage) {
    Promise<T> p = ((io.vertx.core.internal.ContextInternal) ctx).promise();
    stage.whenComplete(
        (v, err) -> {
          Throwable cause =
              err instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                  ? c.getCause()
                  : err;
          if (cause != null) {
            p.tryFail(cause);
          } else {
            p.tryComplete(v);
          }
        });
    return p.future();
  }
}
