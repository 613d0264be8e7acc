package io.dfstree.s3;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One body's digests (MD5 for the ETag, and whatever else must see every byte), computed in order
 * on a shared pool instead of on the event loop that reads the body.
 *
 * <p>Why: MD5 is serial and runs at ~650 MB/s here (the JDK intrinsic, as fast as OpenSSL's), so a
 * 1 MiB PUT spent ~1.65 ms of its event loop's time in it -- four times what the rest of the PUT
 * costs that loop. With it inline, the two S3 event loops were the PUT path's narrowest point on a
 * busy 2-core machine, and every other connection on a loop waited behind each chunk's digest.
 * Here the event loop only queues the chunk (the bytes are shared read-only: the same buffer goes
 * on to the file write) and the digest runs beside the socket read and the disk write. The CPU per
 * PUT stays the same; what changes is that it no longer sits in line on the event loop.
 *
 * <p>Chunks of one lane run one at a time, in the order given, on whichever pool thread is free;
 * lanes of different bodies run in parallel. {@link #after} reads the result once every chunk given
 * before it has been digested.
 */
final class DigestLane {
  /**
   * The shared pool: as many threads as cores (digesting is pure CPU), daemon, idle ones exit.
   * Unbounded queue: a lane holds at most its body's queued chunks, which back-pressure bounds.
   */
  static final ExecutorService POOL = pool(Runtime.getRuntime().availableProcessors());

  private static ExecutorService pool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "dfstree-s3-digest-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  private final Executor executor;
  private final Consumer<ByteBuffer> digest;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

  /** Tasks queued and not yet run; the one that raises it from 0 schedules a drain. */
  private final AtomicInteger pending = new AtomicInteger();

  private final AtomicLong queued = new AtomicLong();

  /**
   * @param digest called with each chunk, one at a time, in order (it may keep state unguarded:
   *     the lane's hand-offs order its calls)
   */
  DigestLane(Executor executor, Consumer<ByteBuffer> digest) {
    this.executor = executor;
    this.digest = digest;
  }

  /**
   * Chunks at most this long are digested at once, on the caller's thread, when the lane is idle: a
   * small object's digest costs less than a hand-off to another thread.
   */
  static final int INLINE_MAX = 8 * 1024;

  /**
   * Chunks are handed to the pool this many bytes at a time (the last ones at {@link #after}). One
   * hand-off per 64 KiB chunk (Netty's) woke a pool thread 16 times per MiB: ~0.3 ms of futex,
   * scheduler and cache misses on top of the MD5's 1.6 ms of a 1 MiB PUT (perf, session 9). Held
   * chunks count as queued, so back-pressure ({@link BodyStream#MAX_UNDIGESTED}) sees them.
   */
  static final int HAND_OFF_BYTES = 256 * 1024;

  /** Chunks not handed to the pool yet; only the caller's thread touches them. */
  private List<ByteBuffer> held = new ArrayList<>();

  private long heldBytes;

  /**
   * Queues {@code bytes} (a view the caller will not move or change) to be digested. Call this and
   * {@link #after} from one thread at a time (the body's event loop).
   */
  void update(ByteBuffer bytes) {
    int n = bytes.remaining();
    if (n <= INLINE_MAX && heldBytes == 0 && pending.get() == 0) {
      // idle: no pool thread touches the digests now, and only this thread queues new work
      digest.accept(bytes);
      return;
    }
    queued.addAndGet(n);
    held.add(bytes);
    heldBytes += n;
    if (heldBytes >= HAND_OFF_BYTES) {
      handOff();
    }
  }

  /** Gives the held chunks to the pool as one task. */
  private void handOff() {
    if (held.isEmpty()) {
      return;
    }
    List<ByteBuffer> chunks = held;
    long n = heldBytes;
    held = new ArrayList<>();
    heldBytes = 0;
    submit(
        () -> {
          for (ByteBuffer b : chunks) {
            digest.accept(b);
          }
          queued.addAndGet(-n);
        });
  }

  /** Bytes queued and not digested yet. */
  long queuedBytes() {
    return queued.get();
  }

  /**
   * {@code result}'s value once every chunk queued before this call has been digested, computed in
   * the lane's order (so it may read the digests).
   */
  <T> CompletableFuture<T> after(Supplier<T> result) {
    handOff();
    CompletableFuture<T> done = new CompletableFuture<>();
    if (pending.get() == 0) {
      done.complete(result.get());
      return done;
    }
    submit(
        () -> {
          try {
            done.complete(result.get());
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  private void submit(Runnable task) {
    queue.add(task);
    if (pending.getAndIncrement() == 0) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    do {
      Runnable task = queue.poll();
      try {
        task.run();
      } catch (RuntimeException e) {
        // a digest does not throw on bytes; if one did, the checks after it fail on their own
      }
    } while (pending.decrementAndGet() != 0);
  }
}
