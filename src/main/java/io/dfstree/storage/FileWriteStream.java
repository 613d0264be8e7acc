package io.dfstree.storage;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.CRC32;

/**
 * Streams bytes into a file at a position, on worker threads, computing CRC32 on the way.
 *
 * <p>Chunks are queued on the event loop and written in batches by one worker task at a time, so a
 * small upload costs a single worker hop (open, write, force, close and the caller's finishing step
 * together) while a large one is written with bounded memory: the queue is "full" at {@link
 * #MAX_QUEUED} bytes and the connection pauses its socket until it drains.
 */
final class FileWriteStream implements WriteStream<Buffer>, QueuedWrites, OwnedWrites {
  static final int FLUSH_AT = 256 * 1024;
  static final int MAX_QUEUED = 1024 * 1024;

  /** What the worker knows once the last byte is written. */
  record Written(Path path, long bytes, long endPosition, int crc32) {}

  /** Work that runs on the worker right after the final write (rename into place, ...). */
  interface Finisher<T> {
    T finish(Written written) throws IOException;
  }

  private final WorkerExecutor disk;
  private final Path path;
  private final boolean create;
  private final boolean fsync;
  private CRC32 crc = new CRC32();
  private List<Buffer> queue = new ArrayList<>();

  /**
   * The references this stream owns of queued chunks ({@link #writeOwned}), released once their
   * batch is written (or dropped).
   */
  private List<io.netty.buffer.ByteBuf> owned = new ArrayList<>();

  private long queuedBytes;
  private long written;
  private long position;
  private FileChannel channel;
  private boolean opened;
  private boolean inFlight;
  private Throwable failure;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Promise<Void> idle;
  private java.util.concurrent.atomic.LongAdder forced;
  private java.util.concurrent.atomic.LongAdder wroteBehind;
  private java.util.concurrent.atomic.LongAdder wroteDirect;

  /**
   * With fsync: a descriptor of the file for {@link WriteBehind} (-1: none yet, or unavailable),
   * and where the bytes not yet handed to writeback begin.
   */
  private int behindFd = -1;

  private long behindFrom;

  /**
   * A new file may be a kept deleted file moved to {@link #path} by {@code reuse} (true) when the
   * stream opens it ({@link RecycledFiles}); it is then overwritten from its first byte and cut to
   * this stream's length before the force.
   */
  private Predicate<Path> reuse;

  private boolean reused;

  /** See {@link #reuse}. Call before writing. */
  FileWriteStream reusing(Predicate<Path> reuse) {
    this.reuse = reuse;
    return this;
  }

  /** Counts this stream's force of its data in {@code counter} (see {@link Forces}). */
  FileWriteStream countForces(java.util.concurrent.atomic.LongAdder counter) {
    this.forced = counter;
    return this;
  }

  /** Counts in {@code bytes} what this stream wrote from direct memory (see {@link Forces}). */
  FileWriteStream countWrittenDirect(java.util.concurrent.atomic.LongAdder bytes) {
    this.wroteDirect = bytes;
    return this;
  }

  /** Counts in {@code bytes} what this stream handed to writeback before its force. */
  FileWriteStream countWriteBehind(java.util.concurrent.atomic.LongAdder bytes) {
    this.wroteBehind = bytes;
    return this;
  }

  /**
   * @param path file to write
   * @param position where the first byte goes
   * @param create create the file (new upload into a temp file) or open an existing one
   * @param fsync force data to disk before finishing
   */
  FileWriteStream(WorkerExecutor disk, Path path, long position, boolean create, boolean fsync) {
    this.disk = disk;
    this.path = path;
    this.position = position;
    this.behindFrom = position;
    this.create = create;
    this.fsync = fsync;
  }

  Path path() {
    return path;
  }

  /**
   * The caller names the file without this stream's CRC32 (a replica named by its source, an upload
   * whose CRC32 is computed as it arrives): skip computing it. Call before writing.
   */
  FileWriteStream withoutCrc() {
    crc = null;
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    return queue(data);
  }

  @Override
  public boolean takesOwned() {
    return true;
  }

  /**
   * As {@link #write}, for a chunk whose reference this stream takes over: released once its batch
   * is written, or at once when the stream has failed, or when it is aborted. A direct chunk is
   * written to the file as it is (no temporary copy in the JDK).
   */
  @Override
  public Future<Void> writeOwned(Buffer data) {
    io.netty.buffer.ByteBuf ref = OwnedWrites.byteBuf(data);
    if (failure != null) {
      ref.release();
      return Future.failedFuture(failure);
    }
    owned.add(ref);
    return queue(data);
  }

  private Future<Void> queue(Buffer data) {
    queue.add(data);
    queuedBytes += data.length();
    if (queuedBytes >= FLUSH_AT && !inFlight) {
      flush();
    }
    return Future.succeededFuture();
  }

  /**
   * Writes out what is queued now, short of a full batch: the client stalled mid-upload, and its
   * bytes belong on disk rather than in heap while it makes up its mind.
   */
  @Override
  public void flushQueued() {
    if (!inFlight && failure == null && queuedBytes > 0) {
      flush();
    }
  }

  @Override
  public boolean writeQueueFull() {
    return queuedBytes >= MAX_QUEUED;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> end() {
    return finish(w -> null).mapEmpty();
  }

  /**
   * Writes what is queued, forces it if configured, closes, then runs {@code finisher} on the
   * worker.
   */
  <T> Future<T> finish(Finisher<T> finisher) {
    return whenIdle()
        .compose(
            v -> {
              if (failure != null) {
                takeQueue().release();
                return Future.failedFuture(failure);
              }
              Batch batch = takeQueue();
              return disk.executeBlocking(
                  () -> {
                    try {
                      writeBatch(batch, false);
                      if (reused && channel != null && channel.size() > position) {
                        // a kept file longer than this upload: none of its old bytes stays
                        channel.truncate(position);
                      }
                      if (fsync && channel != null) {
                        channel.force(false);
                        if (forced != null) {
                          forced.increment();
                        }
                      }
                      closeChannel();
                      return finisher.finish(
                          new Written(
                              path, written, position, crc == null ? 0 : (int) crc.getValue()));
                    } catch (IOException e) {
                      closeQuietly();
                      throw asFdfs(e);
                    }
                  },
                  false);
            });
  }

  /** Stops writing and closes the file; the caller decides what to do with it. */
  Future<Void> abort() {
    failure = failure == null ? new FdfsException(Errno.EIO, "aborted") : failure;
    takeQueue().release();
    return whenIdle()
        .compose(
            v ->
                disk.executeBlocking(
                    () -> {
                      closeQuietly();
                      return null;
                    },
                    false));
  }

  private Future<Void> whenIdle() {
    if (!inFlight) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  /** Queued chunks taken for one write, with the references owned of them. */
  private record Batch(List<Buffer> buffers, List<io.netty.buffer.ByteBuf> owned) {
    /** Drops this batch's owned references (once: the list is emptied). */
    void release() {
      if (!owned.isEmpty()) {
        for (io.netty.buffer.ByteBuf b : owned) {
          b.release();
        }
        owned.clear();
      }
    }
  }

  private Batch takeQueue() {
    Batch batch = new Batch(queue, owned.isEmpty() ? List.of() : owned);
    queue = new ArrayList<>();
    if (!owned.isEmpty()) {
      owned = new ArrayList<>();
    }
    queuedBytes = 0;
    return batch;
  }

  private void flush() {
    inFlight = true;
    Batch batch = takeQueue();
    disk.executeBlocking(
            () -> {
              writeBatch(batch, fsync);
              return null;
            },
            false)
        .onComplete(
            ar -> {
              inFlight = false;
              if (ar.failed()) {
                failure = asFdfs(ar.cause());
                if (exceptionHandler != null) {
                  exceptionHandler.handle(failure);
                }
              }
              if (idle != null) {
                Promise<Void> p = idle;
                idle = null;
                p.complete();
                return; // finish()/abort() takes over
              }
              if (failure == null && queuedBytes >= FLUSH_AT) {
                flush();
              }
              if (!writeQueueFull() && drainHandler != null) {
                Handler<Void> h = drainHandler;
                drainHandler = null;
                h.handle(null);
              }
            });
  }

  /**
   * Runs on a worker thread; one batch at a time per stream. {@code behind}: a batch written while
   * more of the file is still to come, with fsync on — its bytes are handed to writeback now
   * ({@link WriteBehind}), so the force after the last byte has only the tail left to write instead
   * of the whole file (the force still runs, and still decides durability).
   */
  private void writeBatch(Batch batch, boolean behind) throws IOException {
    try {
      writeBatch(batch.buffers(), behind);
    } finally {
      batch.release();
    }
  }

  private void writeBatch(List<Buffer> batch, boolean behind) throws IOException {
    if (opened && batch.isEmpty()) {
      return; // finishing twice (replicas force their data before they are named) is harmless
    }
    if (channel == null) {
      opened = true;
      reused = create && reuse != null && position == 0 && reuse.test(path);
      channel =
          create && !reused
              ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
              : FileChannel.open(path, StandardOpenOption.WRITE);
    }
    for (Buffer b : batch) {
      ByteBuffer bb = ((io.vertx.core.internal.buffer.BufferInternal) b).getByteBuf().nioBuffer();
      if (crc != null) {
        crc.update(bb.duplicate());
      }
      if (wroteDirect != null && bb.isDirect()) {
        wroteDirect.add(bb.remaining());
      }
      while (bb.hasRemaining()) {
        position += channel.write(bb, position);
      }
      written += b.length();
    }
    if (behind && position > behindFrom) {
      if (behindFd < 0) {
        behindFd = WriteBehind.open(path);
      }
      if (WriteBehind.start(behindFd, behindFrom, position - behindFrom)) {
        if (wroteBehind != null) {
          wroteBehind.add(position - behindFrom);
        }
        behindFrom = position;
      }
    }
  }

  private void closeChannel() throws IOException {
    if (behindFd >= 0) {
      WriteBehind.close(behindFd);
      behindFd = -1;
    }
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private void closeQuietly() {
    try {
      closeChannel();
    } catch (IOException ignored) {
      // already failing
    }
  }

  /** Disk errors as FastDFS statuses: a full disk is ENOSPC, anything else EIO. */
  static FdfsException asFdfs(Throwable e) {
    if (e instanceof FdfsException f) {
      return f;
    }
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left") || m.contains("Disk quota")) {
      return new FdfsException(Errno.ENOSPC, "disk full: " + m);
    }
    return new FdfsException(Errno.EIO, e.getClass().getSimpleName() + ": " + m);
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort; startup cleans the temp directory anyway
    }
  }
}
