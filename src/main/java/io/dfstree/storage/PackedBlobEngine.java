package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.packed.PackedOptions;
import io.dfstree.storage.packed.PackedStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32;

/**
 * The packed small-file engine behind the seam: small, non-appender uploads become slots of
 * volume files ({@link PackedStore}, one per store path) named by FastDFS trunk file IDs; their
 * bytes are held in memory until placed (at most {@code storage.packed.maxFileSize} each).
 * Binlog records, tombstones and metadata stay with {@link StoredFiles}, as for plain files,
 * so catch-up, deletes and {@code -m} files work the same.
 */
final class PackedBlobEngine implements BlobEngine {
  private final Vertx vertx;
  private final StoredFiles files;
  private final WorkerExecutor disk;
  private final PackedOptions options;
  private final int sourceKey;
  private final FileBlobEngine plain;
  private volatile PackedStore[] stores = new PackedStore[0];
  static final long COMPACT_INTERVAL_MS = 60_000;
  private long compactTimer = -1;
  private volatile boolean compacting;

  PackedBlobEngine(Vertx vertx, StoredFiles files, WorkerExecutor disk, PackedOptions options, int storageId,
                   FileBlobEngine plain) {
    this.vertx = vertx;
    this.files = files;
    this.disk = disk;
    this.options = options;
    this.sourceKey = Integer.reverseBytes(storageId); // the payload's little-endian id, as 4 bytes
    this.plain = plain;
  }

  /** Opens the volumes of every store path and rebuilds their indexes. Blocking: at start. */
  void open() throws IOException {
    List<StorePath> all = files.paths().all();
    PackedStore[] opened = new PackedStore[all.size()];
    for (StorePath p : all) {
      opened[p.index] = PackedStore.open(p.root, p.index, sourceKey, options);
    }
    stores = opened;
    compactTimer = vertx.setPeriodic(COMPACT_INTERVAL_MS, t -> compactAll());
  }

  /**
   * Every minute, on a disk worker: the blocks of deleted slots go back to the filesystem. It
   * only touches deleted slots, so uploads and reads go on meanwhile.
   */
  private void compactAll() {
    if (compacting) {
      return;
    }
    compacting = true;
    disk.executeBlocking(() -> {
      for (PackedStore s : stores) {
        s.compact();
      }
      return null;
    }, false).onComplete(ar -> {
      compacting = false;
      if (ar.failed()) {
        org.slf4j.LoggerFactory.getLogger(PackedBlobEngine.class).warn("packed compaction failed: {}", ar.cause().toString());
      }
    });
  }

  /** Blocking: at stop. */
  void close() throws IOException {
    vertx.cancelTimer(compactTimer);
    for (PackedStore s : stores) {
      s.close();
    }
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
    return id.remoteName().length() == io.dfstree.fileid.FileName.TRUNK_NAME_LEN && id.decoded().trunk();
  }

  @Override
  public NewBlob create(int storePathIndex, long size, boolean appender, String ext) {
    return new Pending(storePathIndex, size, ext, false);
  }

  @Override
  public NewBlob receive(int storePathIndex, long size) {
    return new Pending(storePathIndex, size, "", true);
  }

  @Override
  public Future<BlobRead> open(FileId id) {
    TrunkId t = TrunkId.parse(id.remoteName());
    PackedStore s = store(id.storePathIndex());
    if (!s.contains(t)) {
      return Future.failedFuture(FdfsException.notFound("file does not exist"));
    }
    // small: read it whole and check its CRC32 before the bytes are sent (from the page cache)
    return disk.executeBlocking(() -> {
      s.read(t);
      PackedStore.Location loc = s.locate(t);
      return new BlobRead(id, loc.path(), loc.offset(), loc.length(), t.createTime() & 0xFFFFFFFFL);
    }, false);
  }

  @Override
  public Future<Boolean> exists(FileId id) {
    return Future.succeededFuture(store(id.storePathIndex()).contains(TrunkId.parse(id.remoteName())));
  }

  @Override
  public Future<Void> delete(Context ctx, FileId id) {
    TrunkId t = TrunkId.parse(id.remoteName());
    return on(ctx, store(id.storePathIndex()).delete(t))
        .compose(v -> files.afterPackedDelete(ctx, id, true));
  }

  /** A peer's delete (binlog {@code D}): tombstone even when the slot is not here (yet). */
  Future<Void> applyDelete(Context ctx, FileId id, long ts) {
    TrunkId t = TrunkId.parse(id.remoteName());
    return on(ctx, store(id.storePathIndex()).delete(t))
        .transform(ar -> files.afterPackedDelete(ctx, id, false));
  }

  @Override
  public Future<List<BlobEntry>> list(int storePathIndex, String after, int limit) {
    PackedStore s = store(storePathIndex);
    String from = after == null ? "" : after;
    return disk.executeBlocking(() -> {
      // names sort by volume directory, then payload: collect and sort (a page costs a full listing)
      List<BlobEntry> all = new ArrayList<>();
      s.list(t -> {
        String name = t.remoteName();
        if (name.compareTo(from) > 0) {
          all.add(new BlobEntry(name, t.fileSize(), t.createTime() & 0xFFFFFFFFL));
        }
      });
      all.sort(Comparator.comparing(BlobEntry::remoteName));
      return all.size() > limit ? new ArrayList<>(all.subList(0, limit)) : all;
    }, false);
  }

  private <T> Future<T> on(Context ctx, CompletionStage<T> stage) {
    Promise<T> p = ((io.vertx.core.internal.ContextInternal) ctx).promise();
    stage.whenComplete((v, err) -> {
      Throwable cause = err instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : err;
      if (cause != null) {
        p.tryFail(cause);
      } else {
        p.tryComplete(v);
      }
    });
    return p.future();
  }

  /** A small blob held in memory until it is placed. */
  private final class Pending implements NewBlob {
    private final int storePathIndex;
    private final long size;
    private final String ext;
    private final boolean copy;
    private final Buffer bytes;
    private final CRC32 crc = new CRC32();
    private boolean computeCrc = true;
    private TrunkId reserved;

    Pending(int storePathIndex, long size, String ext, boolean copy) {
      this.storePathIndex = storePathIndex;
      this.size = size;
      this.ext = ext;
      this.copy = copy;
      this.bytes = Buffer.buffer((int) Math.max(0, Math.min(size, options.maxFileSize())));
    }

    @Override
    public int storePathIndex() {
      return storePathIndex;
    }

    @Override
    public NewBlob withoutCrc() {
      computeCrc = false;
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if ((long) bytes.length() + data.length() > options.maxFileSize() && !copy) {
        return Future.failedFuture(FdfsException.invalid("more bytes than announced for a packed file"));
      }
      bytes.appendBuffer(data);
      if (computeCrc) {
        crc.update(data.getBytes());
      }
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

    private ByteBuffer content() {
      return ByteBuffer.wrap(bytes.getBytes());
    }

    @Override
    public Future<String> place() {
      Context ctx = vertx.getOrCreateContext();
      ByteBuffer content = content();
      CRC32 c = new CRC32();
      c.update(content.duplicate());
      return on(ctx, store(storePathIndex).append(content, (int) c.getValue(), ext))
          .compose(t -> files.afterPackedCreate(ctx, storePathIndex, t.remoteName(), t.fileSize(),
              t.createTime() & 0xFFFFFFFFL, false));
    }

    @Override
    public String name(int crc32, long nowSeconds) {
      try {
        reserved = store(storePathIndex).reserve((int) size, crc32, (int) nowSeconds, ext);
      } catch (IOException e) {
        throw new FdfsException(Errno.EIO, "packed store: " + e.getMessage());
      }
      String name = reserved.remoteName();
      files.placing(name, true);
      return name;
    }

    @Override
    public Future<String> placeAs(String remoteName, long mtimeSeconds) {
      Context ctx = vertx.getOrCreateContext();
      TrunkId t = reserved;
      if (t == null || !t.remoteName().equals(remoteName)) {
        return Future.failedFuture(new IllegalStateException("placeAs without its name()"));
      }
      reserved = null;
      return on(ctx, store(storePathIndex).fill(t, content()))
          .compose(placed -> files.afterPackedCreate(ctx, storePathIndex, remoteName, t.fileSize(), mtimeSeconds, false))
          .andThen(ar -> files.placing(remoteName, false));
    }

    @Override
    public Future<Long> force() {
      return Future.succeededFuture((long) bytes.length());
    }

    @Override
    public Future<Boolean> placeCopy(Context ctx, FileId id, long mtimeSeconds, boolean replace) {
      if (!copy) {
        throw new IllegalStateException("not a peer's copy");
      }
      if (!owns(id) || replace) {
        // a plain file small enough to have come here (from a member that does not pack it)
        NewBlob other = plain.receive(id.storePathIndex(), bytes.length());
        return other.write(bytes).compose(v -> other.placeCopy(ctx, id, mtimeSeconds, replace));
      }
      if (files.deletedSince(id, mtimeSeconds)) {
        return Future.failedFuture(FdfsException.notFound("deleted here since: " + id.remoteName()));
      }
      TrunkId t = TrunkId.parse(id.remoteName());
      return on(ctx, store(id.storePathIndex()).place(t, content()))
          .compose(placed -> placed
              ? files.afterPackedCreate(ctx, id.storePathIndex(), id.remoteName(), t.fileSize(), mtimeSeconds, true).map(true)
              : Future.succeededFuture(false));
    }

    @Override
    public Future<Void> abort() {
      TrunkId t = reserved;
      reserved = null;
      if (t == null) {
        return Future.succeededFuture();
      }
      files.placing(t.remoteName(), false);
      return on(vertx.getOrCreateContext(), store(storePathIndex).release(t));
    }
  }
}
