package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * A small blob of the {@link PackedBlobEngine} held in memory until it is placed: a client's new
 * upload (a slot reserved when it is named, filled by the volume's committer) or a peer's copy (put
 * at the place its trunk name gives, under the slot's lock, unless deleted here since or its source
 * hung up). Its bytes count against the engine's pending-memory budget until they are in a slot or
 * dropped.
 */
final class PackedNewBlob implements NewBlob {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(PackedBlobEngine.class);

  private final PackedBlobEngine engine;
  private final int storePathIndex;
  private final long size;
  private final String ext;
  private final boolean copy;
  private final Buffer bytes;
  private TrunkId reserved;

  /**
   * Bytes of the engine's pending-memory budget this blob holds (copies take theirs as they
   * arrive).
   */
  private long charged;

  PackedNewBlob(PackedBlobEngine engine, int storePathIndex, long size, String ext, boolean copy) {
    this.engine = engine;
    this.storePathIndex = storePathIndex;
    this.size = size;
    this.ext = ext;
    this.copy = copy;
    this.bytes = Buffer.buffer((int) Math.max(0, Math.min(size, engine.options.maxFileSize())));
    this.charged = copy ? 0 : Math.max(0, size);
  }

  /** Gives the memory back (once the bytes are in a slot, or dropped). */
  private void released() {
    engine.pending.release(charged);
    charged = 0;
  }

  @Override
  public int storePathIndex() {
    return storePathIndex;
  }

  /**
   * Nothing to turn off: a packed blob keeps no running CRC32 (a copy of every chunk fed one that
   * nothing read); {@link #place} computes it over the content when it names the file itself.
   */
  @Override
  public NewBlob withoutCrc() {
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if ((long) bytes.length() + data.length() > engine.options.maxFileSize() && !copy) {
      return Future.failedFuture(
          FdfsException.invalid("more bytes than announced for a packed file"));
    }
    if (copy) {
      // a peer's copy: its source kept within its own cap; here copies may take up to the cap
      // again (a copy refused EBUSY is sent again by catch-up)
      if (!engine.pending.tryTake(data.length())) {
        return Future.failedFuture(
            new FdfsException(
                Errno.EBUSY, "packed store: memory for small files in flight is full"));
      }
      charged += data.length();
    }
    bytes.appendBuffer(data);
    return Future.succeededFuture();
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public NewBlob drainHandler(Handler<Void> handler) {
    return this;
  }

  @Override
  public NewBlob exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public NewBlob setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  /**
   * The content as a view of the held bytes, not a copy (64 KiB more per small upload and copy to
   * allocate and copy): nothing writes to {@link #bytes} once the blob is placed.
   */
  private ByteBuffer content() {
    return ((io.vertx.core.internal.buffer.BufferInternal) bytes).getByteBuf().nioBuffer();
  }

  @Override
  public Future<String> place() {
    Context ctx = engine.vertx.getOrCreateContext();
    ByteBuffer content = content();
    CRC32 c = new CRC32();
    c.update(content.duplicate());
    return PackedBlobEngine.on(
            ctx, engine.store(storePathIndex).append(content, (int) c.getValue(), ext))
        .andThen(ar -> released())
        .compose(
            t ->
                engine.files.afterPackedCreate(
                    ctx,
                    storePathIndex,
                    t.remoteName(),
                    t.fileSize(),
                    t.createTime() & 0xFFFFFFFFL,
                    false));
  }

  @Override
  public String name(int crc32, long nowSeconds) {
    try {
      reserved = engine.store(storePathIndex).reserve((int) size, crc32, (int) nowSeconds, ext);
    } catch (IOException e) {
      throw new FdfsException(Errno.EIO, "packed store: " + e.getMessage());
    }
    String name = reserved.remoteName();
    engine.files.placing(name, true);
    return name;
  }

  @Override
  public Future<String> placeAs(String remoteName, long mtimeSeconds) {
    Context ctx = engine.vertx.getOrCreateContext();
    TrunkId t = reserved;
    if (t == null || !t.remoteName().equals(remoteName)) {
      return Future.failedFuture(new IllegalStateException("placeAs without its name()"));
    }
    reserved = null;
    return PackedBlobEngine.on(ctx, engine.store(storePathIndex).fill(t, content(), mtimeSeconds))
        .andThen(ar -> released())
        .compose(
            placed ->
                engine.files.afterPackedCreate(
                    ctx, storePathIndex, remoteName, t.fileSize(), mtimeSeconds, false))
        .andThen(ar -> engine.files.placing(remoteName, false));
  }

  @Override
  public Future<Long> force() {
    // nothing to force: the slot is synced when placed. A peer's copy no longer takes a turn
    // through the disk pool here (two thread wake-ups on the acknowledgement's path, no disk
    // work): that turn only gave a source that hung up right behind its trailer the time to be
    // seen closed. Now the committer asks whether the source is gone as it takes the copy into a
    // batch, before writing it (sourceGone), which is later than any check the caller can make.
    return Future.succeededFuture((long) bytes.length());
  }

  /** Whether the source of this copy hung up ({@link NewBlob#sourceGone}); never, by default. */
  private java.util.function.BooleanSupplier gone = () -> false;

  @Override
  public NewBlob sourceGone(java.util.function.BooleanSupplier gone) {
    this.gone = gone;
    return this;
  }

  @Override
  public Future<Boolean> placeCopy(Context ctx, FileId id, long mtimeSeconds, boolean replace) {
    if (!copy) {
      throw new IllegalStateException("not a peer's copy");
    }
    if (replace && engine.owns(id)) {
      // a damaged slot's good copy from a peer (Integrity): rewritten in place
      TrunkId t = TrunkId.of(id);
      ByteBuffer good = content();
      released();
      return PackedBlobEngine.on(ctx, engine.store(id.storePathIndex()).repair(t, good));
    }
    if (!engine.owns(id)) {
      // a plain file small enough to have come here (from a member that does not pack it)
      // (rare: no committer to ask at the last moment, so the source's hang-up is looked at
      // again after the file's force, a turn through the disk pool, as before)
      NewBlob other = engine.plain.receive(id.storePathIndex(), bytes.length());
      Buffer held = bytes;
      released();
      java.util.function.BooleanSupplier g = gone;
      return other
          .write(held)
          .compose(v -> other.force())
          .compose(
              n ->
                  g.getAsBoolean()
                      ? other
                          .abort()
                          .transform(
                              ar ->
                                  Future.<Boolean>failedFuture(
                                      new FdfsException(Errno.EIO, "source closed the connection")))
                      : other.placeCopy(ctx, id, mtimeSeconds, replace));
    }
    TrunkId t = TrunkId.of(id);
    // under the slot's lock, as a delete of it (see delete): checked and placed, or refused
    return engine.files.withLock(
        ctx,
        id,
        () -> {
          if (engine.files.deletedSince(id, mtimeSeconds)) {
            released();
            LOG.info(
                "packed store: copy of {} from a peer predates its delete here: dropped",
                id.remoteName());
            return Future.failedFuture(
                FdfsException.notFound("deleted here since: " + id.remoteName()));
          }
          // the committer asks `gone` as it takes the copy: a source that hung up by then is
          // refused, nothing written (see force)
          return PackedBlobEngine.on(
                  ctx, engine.store(id.storePathIndex()).place(t, content(), mtimeSeconds, gone))
              .andThen(ar -> released())
              .compose(
                  placed ->
                      placed
                          ? engine
                              .files
                              .afterPackedCreate(
                                  ctx,
                                  id.storePathIndex(),
                                  id.remoteName(),
                                  t.fileSize(),
                                  mtimeSeconds,
                                  true)
                              .map(true)
                          : Future.succeededFuture(false));
        });
  }

  @Override
  public Future<Void> abort() {
    released();
    TrunkId t = reserved;
    reserved = null;
    if (t == null) {
      return Future.succeededFuture();
    }
    engine.files.placing(t.remoteName(), false);
    return PackedBlobEngine.on(
        engine.vertx.getOrCreateContext(), engine.store(storePathIndex).release(t));
  }
}
