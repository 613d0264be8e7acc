package io.dfstree.storage.packed;

import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packed small-file store of one store path: small files appended as slots to large volume
 * files, found again from their trunk file ID alone (volume, offset, slot length), read with one
 * positioned read and checked against their CRC32 on every read.
 *
 * <p>Writes (appends, deletes, slots placed by replication) go through one {@link BatchCommitter}
 * thread that writes everything queued as one batch and makes it durable with one {@code fdatasync}
 * before acknowledging any of it (group commit). Reads run on the caller's thread. {@link
 * #compact()} gives the space of deleted slots back to the filesystem without moving anything, so
 * IDs stay valid and writes are never blocked.
 *
 * <p>In memory: 8 bytes per slot ({@link VolumeIndex}), rebuilt from the volumes by {@link #open}.
 * Futures complete on the committer thread: callers move to their own context.
 *
 * <p>A facade: this class is the store's API and wires its parts, which share the volumes and their
 * indexes (each index guarded by its volume):
 *
 * <ul>
 *   <li>{@link VolumeSet}: the volumes, opened with their index rebuilt, and where own slots go;
 *   <li>{@link SlotReads}: reads, locations, the index's answer, listings;
 *   <li>{@link BatchCommitter}: every write, in batches on its thread ({@link SlotWrites} for the
 *       writes at a place a name gives, {@link DeleteMarks} for deletes' marks);
 *   <li>{@link Compactor}: deleted slots' space given back;
 *   <li>{@link IndexCheckpoint}: the indexes saved for a fast restart.
 * </ul>
 *
 * <p>Why over 400 lines: it is the store's whole API, each entry documented where callers read it;
 * the work is in the parts.
 */
public final class PackedStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PackedStore.class);
  static final String DIR = "packed";

  final int storePathIndex;
  final int sourceKey;
  final PackedOptions options;
  final VolumeSet volumes;
  private final SlotReads reads;
  private final DeleteMarks marks;
  private final CommitQueue commits;
  private final BatchCommitter committer;
  private final Compactor compactor;

  /** Where a slot's content lies, for zero-copy sends ({@code sendFile(path, offset, length)}). */
  public record Location(Path path, long offset, int length) {}

  /** Counts for metrics, the benchmark and tests. */
  public record Stats(
      int volumes, long files, long liveBytes, long diskBytes, long indexHeapBytes) {}

  /**
   * What {@link #open} found: how long the rebuild took, what it repaired, and how many volumes
   * started from their index checkpoint (the rest were read whole).
   */
  public record Rebuild(
      long files,
      int volumes,
      long millis,
      int tornSlots,
      long garbageBytes,
      int checkpointedVolumes) {}

  private volatile Rebuild rebuild;

  private PackedStore(
      Path storeRoot,
      int storePathIndex,
      int sourceKey,
      PackedOptions options,
      SlotLog log,
      LineForcer forcer) {
    this.storePathIndex = storePathIndex;
    this.sourceKey = sourceKey;
    this.options = options;
    Path dir = storeRoot.resolve("data").resolve(DIR);
    this.volumes = new VolumeSet(dir, storePathIndex, sourceKey, options);
    this.reads = new SlotReads(storePathIndex, sourceKey, volumes);
    this.marks = new DeleteMarks(this);
    this.commits = new CommitQueue();
    this.committer = new BatchCommitter(this, commits, marks, log, forcer);
    this.compactor = new Compactor(this);
  }

  /**
   * Opens (creating when new) the packed store of a store path and rebuilds its index from the
   * volumes. Blocking: call it off the event loop.
   *
   * @param sourceKey the 4 bytes this member writes as the source of its file names, as one int
   *     (see {@link TrunkId#sourceKey()}): its own volumes carry it
   */
  public static PackedStore open(
      Path storeRoot, int storePathIndex, int sourceKey, PackedOptions options) throws IOException {
    return open(storeRoot, storePathIndex, sourceKey, options, SlotLog.NONE, null);
  }

  /**
   * Opens a store whose new slots are recorded in {@code log} (the binlog), its lines synced by
   * {@code forcer} (null: by nobody, e.g. without fsync).
   */
  public static PackedStore open(
      Path storeRoot,
      int storePathIndex,
      int sourceKey,
      PackedOptions options,
      SlotLog log,
      LineForcer forcer)
      throws IOException {
    PackedStore s = new PackedStore(storeRoot, storePathIndex, sourceKey, options, log, forcer);
    s.rebuild = s.volumes.load();
    s.committer.start();
    return s;
  }

  public Rebuild rebuild() {
    return rebuild;
  }

  public PackedOptions options() {
    return options;
  }

  /** True when a file of this size is packed rather than stored as a file of its own. */
  public boolean accepts(long size) {
    return size >= 0 && size <= options.maxFileSize();
  }

  /** Appends a new file; the ID completes once the slot is durable. */
  public CompletableFuture<TrunkId> append(ByteBuffer content, String ext) {
    CRC32 crc = new CRC32();
    crc.update(content.duplicate());
    return append(content, (int) crc.getValue(), ext);
  }

  /** Appends a new file whose CRC32 the caller computed on the way in. */
  public CompletableFuture<TrunkId> append(ByteBuffer content, int crc32, String ext) {
    if (!accepts(content.remaining())) {
      return CompletableFuture.failedFuture(
          FdfsException.invalid(
              "file of "
                  + content.remaining()
                  + " bytes is larger than storage.packed.maxFileSize "
                  + options.maxFileSize()));
    }
    int now = (int) (System.currentTimeMillis() / 1000);
    return commits.append(
        content, crc32, now, TrunkId.randomSizeHigh(), FileName.extensionPart(ext));
  }

  /**
   * Reserves the slot of a new file whose bytes are still arriving, so that its name — which says
   * where the slot is — can go to the peers first (an upload streamed to a write quorum). The bytes
   * follow with {@link #fill}, or {@link #release} gives the place up; until then the slot is
   * zeros, which a restart skips.
   */
  public TrunkId reserve(int fileSize, int crc32, int createTime, String ext) throws IOException {
    if (!accepts(fileSize)) {
      throw FdfsException.invalid(
          "file of " + fileSize + " bytes is larger than storage.packed.maxFileSize");
    }
    int len = SlotHeader.slotLength(fileSize);
    long[] at = volumes.allocate(len);
    return new TrunkId(
        storePathIndex,
        sourceKey,
        createTime,
        TrunkId.randomSizeHigh(),
        fileSize,
        crc32,
        (int) at[0],
        (int) at[1],
        len,
        FileName.extensionPart(ext));
  }

  /** Writes the bytes of a reserved slot; completes once durable. */
  public CompletableFuture<Boolean> fill(TrunkId reserved, ByteBuffer content) {
    return fill(reserved, content, reserved.createTime() & 0xFFFFFFFFL);
  }

  /** {@link #fill} recording the slot at {@code timestamp} (the upload's time). */
  public CompletableFuture<Boolean> fill(TrunkId reserved, ByteBuffer content, long timestamp) {
    return commits.place(reserved, content, timestamp, false);
  }

  /** Gives up a reserved slot: it is marked deleted on disk and never read. */
  public CompletableFuture<Void> release(TrunkId reserved) {
    return commits.release(reserved);
  }

  /**
   * Places a slot written by the member that owns its volume (replication, catch-up): the same
   * bytes at the same volume and offset. True when placed, false when the slot was already here;
   * fails with ENOENT when it was deleted here, EEXIST when other bytes hold the place.
   */
  public CompletableFuture<Boolean> place(TrunkId id, ByteBuffer content) {
    return place(id, content, id.createTime() & 0xFFFFFFFFL);
  }

  /** {@link #place} recording the copy at {@code timestamp} (its source's time). */
  public CompletableFuture<Boolean> place(TrunkId id, ByteBuffer content, long timestamp) {
    return place(id, content, timestamp, CommitQueue.NEVER_GONE);
  }

  /**
   * {@link #place} of a peer's copy that is refused (EIO, nothing written) when {@code gone} holds
   * as the committer takes it into a batch: its source hung up before it was answered.
   */
  public CompletableFuture<Boolean> place(
      TrunkId id, ByteBuffer content, long timestamp, java.util.function.BooleanSupplier gone) {
    checkPath(id);
    return commits.place(id, content, timestamp, true, false, gone);
  }

  /** Peers' copies refused because their source hung up first (tests). */
  public long abandonedCopies() {
    return committer.abandoned;
  }

  /**
   * Rewrites a live slot whose content was found damaged with a good copy (from a peer), in place:
   * same header, the given content, synced. Fails EIO unless the content matches the name's size
   * and CRC32, ENOENT when the slot is not live here.
   */
  public CompletableFuture<Boolean> repair(TrunkId id, ByteBuffer content) {
    checkPath(id);
    CRC32 crc = new CRC32();
    crc.update(content.duplicate());
    if (content.remaining() != id.fileSize() || (int) crc.getValue() != id.crc32()) {
      return CompletableFuture.failedFuture(
          new FdfsException(Errno.EIO, "the copy does not match its name either: " + id));
    }
    return commits.place(id, content, id.createTime() & 0xFFFFFFFFL, false, true);
  }

  /** Blocking: true when the slot is here but its bytes fail their check (a read would be EIO). */
  public boolean damaged(TrunkId id) throws IOException {
    return reads.damaged(id);
  }

  /** Marks the slot deleted, durably; ENOENT when it is not here. */
  public CompletableFuture<Void> delete(TrunkId id) {
    return delete(id, false);
  }

  /**
   * Marks the slot deleted; ENOENT when it is not here. {@code recorded}: the caller makes the
   * delete durable itself (tombstone and binlog line, which a restart applies to the slots again),
   * so the mark is answered once written, without waiting for a force of the volume.
   */
  public CompletableFuture<Void> delete(TrunkId id, boolean recorded) {
    checkPath(id);
    return commits.delete(id, recorded);
  }

  /**
   * Marks the slot deleted on the calling thread when the committer is between batches, for a
   * caller that records the delete itself (as {@code delete(id, true)}: with fsync its tombstone
   * and binlog line are forced before its answer); false when it must be queued instead. See {@link
   * DeleteMarks#markNow}. Blocking (a page-cache read and write of the slot's header).
   */
  public boolean markDeletedNow(TrunkId id) throws IOException {
    checkPath(id);
    return marks.markNow(id);
  }

  /** Delete marks {@link #markDeletedNow} wrote on callers' threads (tests). */
  public long markedNow() {
    return marks.markedNow;
  }

  /**
   * As {@link #delete(TrunkId, boolean)}, {@code then} composed on the mark before it is queued, so
   * that it runs on the committer's thread once the mark is written (see {@link #afterBatch}).
   */
  public <T> CompletableFuture<T> delete(
      TrunkId id,
      boolean recorded,
      java.util.function.Function<CompletableFuture<Void>, CompletableFuture<T>> then) {
    checkPath(id);
    return commits.delete(id, recorded, then);
  }

  /** What runs on the committer's thread after each batch was answered ({@link #afterBatch}). */
  public interface AfterBatch {
    /** {@code idle}: nothing else was queued for the committer when its batch ended. */
    void ended(boolean idle);
  }

  /**
   * Run on the committer's thread after every batch, once its answers (and what they composed on
   * this thread) ran: the delete committer takes the round of the deletes those answers queued
   * here, so a delete is marked, recorded, forced and answered by one thread, not handed from it to
   * a disk thread ({@code DeleteCommitter}).
   */
  volatile AfterBatch afterBatch = idle -> {};

  /** Sets {@link #afterBatch}. */
  public void afterBatch(AfterBatch hook) {
    afterBatch = hook;
  }

  /** Whether the calling thread is a packed store's committer thread. */
  public static boolean onCommitterThread() {
    return BatchCommitter.onCommitterThread();
  }

  /** Forces of volumes run so far (one per volume a batch touched). */
  public long volumeForces() {
    return committer.forces;
  }

  /** The file's content: one positioned read, checked against its header, its ID and its CRC32. */
  public ByteBuffer read(TrunkId id) throws IOException {
    return readSlot(id).content();
  }

  /** A slot read and checked: its content, and where that lies (for a later range read). */
  public record Slot(ByteBuffer content, Location location) {}

  /** {@link #read}, with where the content lies: one positioned read, header and CRC32 checked. */
  public Slot readSlot(TrunkId id) throws IOException {
    return reads.readSlot(id);
  }

  /** Bytes of a slot's own header, in front of its content ({@link #readSlotInto}). */
  public static final int SLOT_HEADER_BYTES = SlotHeader.SIZE;

  /**
   * {@link #readSlot} into the caller's buffer: {@link #SLOT_HEADER_BYTES} + size bytes from its
   * position are the slot's header and content, read with one positioned read and checked (ENOENT,
   * EIO on a CRC32 mismatch). For a download that sends the checked bytes from direct memory.
   */
  public Location readSlotInto(TrunkId id, ByteBuffer slot) throws IOException {
    return reads.readSlotInto(id, slot);
  }

  /**
   * Where the content lies, after checking the slot's header (not its CRC: the bytes are not read)
   * — for zero-copy sends of files too large to check first.
   */
  public Location locate(TrunkId id) throws IOException {
    return reads.locate(id);
  }

  /**
   * True when the slot of {@code id} lies in what this process wrote to its volume, within the last
   * {@code window} bytes of that (0: never). Such a slot went through the page cache moments ago
   * (written, then synced, not dropped): reading it is a copy from memory, which the caller may do
   * on its own thread instead of handing it to a disk thread. No disk access. A slot from before
   * this process started is never "recent": its pages may be gone.
   */
  public boolean recentlyWritten(TrunkId id, long window) {
    return reads.recentlyWritten(id, window);
  }

  /** Where a slot's bytes are now, as far as the page cache tells ({@link #residence}). */
  public enum Residence {
    /** Every page of the slot's header and content is in the page cache. */
    IN_MEMORY,
    /** At least one page is not: a read of the slot may wait for the disk. */
    ON_DISK,
    /** No answer: the volume is not here or could not be mapped to ask. */
    UNKNOWN
  }

  /**
   * Whether the bytes a read of {@code id} reads (header and content) are all in the page cache
   * now: {@code mincore(2)} through a read-only mapping of the volume, 2-4 µs here, no disk access,
   * no page faulted in ({@link ResidentPages}). Whoever put them there — this process's write, a
   * read a minute ago, a peer's copy, another process — a read of them is then a copy from memory,
   * which the caller may do on its own thread instead of a disk thread (the pages may still be
   * evicted between this answer and the read: then that read waits for the disk). Not a check of
   * the slot: the read still checks its header and CRC32.
   */
  public Residence residence(TrunkId id) {
    return reads.residence(id);
  }

  /** True when the index holds a live slot for this ID (no disk access). */
  public boolean contains(TrunkId id) {
    return reads.contains(id);
  }

  /** Every live file, volume by volume (reads each live slot's header). Blocking. */
  public void list(Consumer<TrunkId> out) throws IOException {
    reads.list(out);
  }

  /**
   * The live slots of this member's own volumes created at or after {@code sinceSeconds} whose end
   * lies in the last {@code window} bytes of their volume: where the slots are whose binlog lines a
   * crash may have taken ({@link LineForcer} keeps that within the window). Blocking.
   */
  public List<TrunkId> recentSlots(long window, long sinceSeconds) throws IOException {
    return reads.recentSlots(window, sinceSeconds);
  }

  /** Reclaims the blocks of deleted slots (see {@link Compactor}). Blocking; one at a time. */
  public Compactor.Result compact() throws IOException {
    return compactor.run();
  }

  /**
   * Batches the committer has made durable so far (each one write and one sync per volume touched).
   */
  public long committerBatches() {
    return committer.batches;
  }

  /** Batches whose volumes were forced two or more at a time ({@link VolumeForces}; tests). */
  long batchesForcedTogether() {
    return committer.volumeForces.together;
  }

  /** Zeros written ahead and forced by the grow thread ({@link VolumeGrower}; tests). */
  long zerosGrownAhead() {
    return committer.grower.grown;
  }

  /** Grows of zeros ahead asked of the grow thread, finished or stopped (tests). */
  long zeroGrowsAsked() {
    return committer.grower.asked;
  }

  public Stats stats() throws IOException {
    return volumes.stats();
  }

  /**
   * Saves the index of every volume changed since its last checkpoint ({@link IndexCheckpoint}), so
   * that a restart reads those files and only the volumes' tails. Blocking (writes and syncs, about
   * 8 bytes per file); the committer only copies the indexes between two batches. Returns the
   * checkpoints installed.
   */
  public int checkpoint() throws IOException {
    List<IndexCheckpoint.Snapshot> snaps;
    try {
      snaps = commits.snapshot().join();
    } catch (java.util.concurrent.CompletionException e) {
      return 0; // closed
    }
    return IndexCheckpoint.writeAll(snaps);
  }

  /** The snapshots {@link #checkpoint} would write, not written (tests of the install rule). */
  List<IndexCheckpoint.Snapshot> snapshotForTest() {
    return askSnapshot().join();
  }

  /** Queues {@link #checkpoint}'s snapshot without waiting for it (tests). */
  CompletableFuture<List<IndexCheckpoint.Snapshot>> askSnapshot() {
    return commits.snapshot();
  }

  @Override
  public void close() throws IOException {
    committer.close();
    try {
      // nothing writes any more: the last state of every changed volume, for a fast restart
      List<IndexCheckpoint.Snapshot> snaps = new ArrayList<>();
      for (Volume v : volumes.view()) {
        if (v.changes != v.checkpointedChanges || v.checkpointCovered == 0) {
          IndexCheckpoint.Snapshot s = IndexCheckpoint.take(v);
          if (s != null) {
            snaps.add(s);
          }
        }
      }
      IndexCheckpoint.writeAll(snaps);
    } catch (IOException | RuntimeException e) {
      LOG.warn("packed store M{}: index checkpoints not written: {}", storePathIndex, e.toString());
    }
    for (Volume v : volumes.view()) {
      v.close();
    }
  }

  // ---- for the committer (BatchCommitter reaches the volumes through these) ----

  /** See {@link VolumeSet#allocate}. */
  long[] allocate(int len) throws IOException {
    return volumes.allocate(len);
  }

  Volume volume(int sourceKey, int number) {
    return volumes.get(sourceKey, number);
  }

  List<Volume> volumes() {
    return volumes.all();
  }

  private void checkPath(TrunkId id) {
    reads.checkPath(id);
  }
}
