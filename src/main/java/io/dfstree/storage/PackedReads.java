package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.storage.packed.PackedStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The read path of the {@link PackedBlobEngine}: a download of a slot is one positioned read,
 * checked against its header and CRC32 ({@link PackedStore#readSlot}), on a disk thread — or on the
 * calling event loop for a small slot whose pages are in the page cache ({@link #readsInline}); a
 * slot that fails its check is never served, a good copy from a peer replaces it first ({@link
 * #repairer}); the scrub reads every live slot the same way.
 */
final class PackedReads {
  /**
   * Slots up to this size are read into memory and sent from there (one read, CRC checked); larger
   * ones are sent with sendfile.
   */
  static final int SEND_FROM_MEMORY_MAX = 64 * 1024;

  private final StoredFiles files;
  private final WorkerExecutor disk;
  private final IntFunction<PackedStore> stores;
  private final LongSupplier inlineReadWindow;
  private final java.util.concurrent.atomic.AtomicLong inlineReads =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong wholeReads =
      new java.util.concurrent.atomic.AtomicLong();

  /** Repairs a damaged slot from a peer ({@link Integrity#repair}); set once the node is built. */
  volatile java.util.function.Function<FileId, Future<Void>> repairer;

  /**
   * {@code stores}: the packed store of a store path ({@link PackedBlobEngine#store}); {@code
   * inlineReadWindow}: the engine's {@code storage.packed.inlineReadWindow}, read at each read.
   */
  PackedReads(
      StoredFiles files,
      WorkerExecutor disk,
      IntFunction<PackedStore> stores,
      LongSupplier inlineReadWindow) {
    this.files = files;
    this.disk = disk;
    this.stores = stores;
    this.inlineReadWindow = inlineReadWindow;
  }

  /** The slot of {@code id} to serve; a damaged one is repaired from a peer, then read again. */
  Future<BlobEngine.BlobRead> open(FileId id) {
    return repairedIfDamaged(id, () -> openOnce(id));
  }

  /** Whether a FastDFS download of {@code id} is served by {@link #openWhole}. */
  static boolean sendsWhole(FileId id) {
    return TrunkId.of(id).fileSize() <= SEND_FROM_MEMORY_MAX;
  }

  /**
   * A FastDFS download's slot (at most {@link #SEND_FROM_MEMORY_MAX}): header and content read with
   * one positioned read into one pooled direct buffer and checked ({@link
   * PackedStore#readSlotInto}); the last {@link PacketHeader#SIZE} bytes of the slot's own header
   * then take the response header, so the checked bytes go to the socket as they were read. Before,
   * a 64 KiB download went through a fresh heap array (the JDK reads into it through a temporary
   * direct buffer), a second fresh heap array with the response header in front, and Netty's copy
   * of that into direct memory for the write: three copies and 128 KiB of garbage per download
   * (benchmark/PROFILE.md, dl64). Same thread as {@link #open} ({@link #readsInline}); a slot
   * failing its CRC32 is repaired from a peer first, never served. The holder releases the buffer.
   */
  Future<SmallDownload.Whole> openWhole(FileId id) {
    return repairedIfDamaged(id, () -> openWholeOnce(id));
  }

  private <T> Future<T> repairedIfDamaged(FileId id, java.util.function.Supplier<Future<T>> read) {
    return read.get()
        .recover(
            err -> {
              java.util.function.Function<FileId, Future<Void>> r = repairer;
              if (r != null && err instanceof FdfsException f && f.errno() == Errno.EIO) {
                // a slot failing its CRC32: never served; a good copy from a peer replaces it first
                return r.apply(id).compose(v -> read.get());
              }
              return Future.failedFuture(err);
            });
  }

  private Future<SmallDownload.Whole> openWholeOnce(FileId id) {
    TrunkId t = TrunkId.of(id);
    PackedStore s = stores.apply(id.storePathIndex());
    if (!s.contains(t)) {
      return Future.failedFuture(FdfsException.notFound("file does not exist"));
    }
    return readHereOrOnDisk(s, t, () -> readWhole(s, t));
  }

  private SmallDownload.Whole readWhole(PackedStore s, TrunkId t) throws IOException {
    int slotBytes = PackedStore.SLOT_HEADER_BYTES + t.fileSize();
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(slotBytes);
    try {
      s.readSlotInto(t, buf.nioBuffer(0, slotBytes));
      buf.writerIndex(slotBytes);
      wholeReads.incrementAndGet();
      return new SmallDownload.Whole(
          buf, PackedStore.SLOT_HEADER_BYTES - PacketHeader.SIZE, t.fileSize());
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** Slots read whole into direct memory for a download ({@link #openWhole}); tests. */
  long wholeReads() {
    return wholeReads.get();
  }

  /**
   * Blocking, for the scrub: reads every live slot of a store path (CRC checked), through {@code
   * throttle}; hands the damaged ones to {@code damaged}. Stops when {@code stopped} says so.
   */
  void scrub(
      int storePathIndex,
      Integrity.Throttle throttle,
      java.util.function.Consumer<FileId> damaged,
      java.util.concurrent.atomic.AtomicLong filesChecked,
      java.util.concurrent.atomic.AtomicLong bytesChecked,
      java.util.function.BooleanSupplier stopped)
      throws IOException {
    PackedStore s = stores.apply(storePathIndex);
    List<TrunkId> bad = new ArrayList<>();
    s.list(
        t -> {
          if (stopped.getAsBoolean()) {
            return;
          }
          try {
            if (s.damaged(t)) {
              bad.add(t);
            }
            filesChecked.incrementAndGet();
            bytesChecked.addAndGet(t.fileSize());
            throttle.consumed(t.slotLength());
          } catch (IOException e) {
            bad.add(t);
          }
        });
    for (TrunkId t : bad) {
      if (!stopped.getAsBoolean()) {
        damaged.accept(files.validate(files.group(), t.remoteName()));
      }
    }
  }

  /** Blocking: whether the slot of {@code id} is here but fails its check. */
  boolean damaged(FileId id) throws IOException {
    return stores.apply(id.storePathIndex()).damaged(TrunkId.of(id));
  }

  private Future<BlobEngine.BlobRead> openOnce(FileId id) {
    TrunkId t = TrunkId.of(id);
    PackedStore s = stores.apply(id.storePathIndex());
    if (!s.contains(t)) {
      return Future.failedFuture(FdfsException.notFound("file does not exist"));
    }
    // small: one read of the slot, checked against its header and CRC32; up to
    // SEND_FROM_MEMORY_MAX those very bytes are sent, larger ones from the page cache (sendfile)
    return readHereOrOnDisk(s, t, () -> readToServe(s, id, t));
  }

  /** {@code read} on this event loop when {@link #readsInline} says so, else on a disk thread. */
  private <T> Future<T> readHereOrOnDisk(
      PackedStore s, TrunkId t, java.util.concurrent.Callable<T> read) {
    if (readsInline(s, t)) {
      inlineReads.incrementAndGet();
      try {
        return Future.succeededFuture(read.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return disk.executeBlocking(read, false);
  }

  /**
   * Whether a read of {@code t} runs on the calling event loop instead of a disk thread: a slot of
   * at most {@link #SEND_FROM_MEMORY_MAX} whose header and content are all in the page cache now
   * ({@link PackedStore#residence}: {@code mincore(2)}, 2-4 µs, no I/O) — whoever put them there,
   * this process's write or a read a minute ago (a hot file), also after a restart. The exception
   * to "no disk work on an event loop", measured: such a read is one {@code pread} served from the
   * page cache (a few microseconds for 4 KiB, with the CRC32), where the hop to a disk thread and
   * back costs two thread wake-ups, which at one request at a time were the larger part of a
   * download's time on the storage (benchmark/PROFILE.md, lat1). A slot with a page out of the page
   * cache is never read on a loop (benchmark/PROFILE.md, resident27: before, the rule was "this
   * process wrote it within the last {@code inlineReadWindow} bytes of its volume", which sent a
   * hot older slot to a disk thread and a recent one evicted under memory pressure to the loop).
   * Where the page cache cannot be asked (the volume not mapped) that old rule decides. {@code
   * storage.packed.inlineReadWindow} 0 turns it off.
   */
  private boolean readsInline(PackedStore s, TrunkId t) {
    long window = inlineReadWindow.getAsLong();
    if (window <= 0 || t.fileSize() > SEND_FROM_MEMORY_MAX || !Context.isOnEventLoopThread()) {
      return false;
    }
    return switch (s.residence(t)) {
      case IN_MEMORY -> true;
      case ON_DISK -> false;
      case UNKNOWN -> s.recentlyWritten(t, window);
    };
  }

  private static BlobEngine.BlobRead readToServe(PackedStore s, FileId id, TrunkId t)
      throws IOException {
    PackedStore.Slot slot = s.readSlot(t);
    PackedStore.Location loc = slot.location();
    Buffer content =
        loc.length() <= SEND_FROM_MEMORY_MAX
            ? io.vertx.core.internal.buffer.BufferInternal.buffer(
                io.netty.buffer.Unpooled.wrappedBuffer(slot.content()))
            : null;
    return new BlobEngine.BlobRead(
        id, loc.path(), loc.offset(), loc.length(), t.createTime() & 0xFFFFFFFFL, content);
  }

  /** Reads served on the event loop ({@link #readsInline}); tests. */
  long inlineReads() {
    return inlineReads.get();
  }
}
