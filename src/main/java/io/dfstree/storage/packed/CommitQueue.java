package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What a packed store asks of its committer, from any thread: an append, a delete's mark, a slot
 * placed where its name says (a reserved own one, a peer's, a repair), a reservation released, a
 * snapshot of the indexes. Each ask is one op on this queue, which only the committer's thread
 * takes; once the store is closed an ask is refused EBUSY at once. The committer completes each
 * op's future with {@link #answer} or {@link #fail}.
 *
 * <p>Apart from {@link BatchCommitter} because that class is the one writer thread and its batch
 * (the write position of each volume, the forces), while this is all that other threads call. The
 * ops are declared here, with the asks that make them; the batch reads their fields. The ops with
 * fields are final classes with package-private fields, not records: a record's fields are private
 * to its nest, so {@link BatchCommitter#commit} would call accessors, and C2 leaves those calls in
 * that method (its inlining budget is spent before the {@link Place} branch: "size >
 * DesiredMethodLimit" at every {@code Place} accessor of a group's storage, benchmark/PROFILE.md,
 * "ops29").
 */
final class CommitQueue {
  /** What the committer's queue holds: a write, or a snapshot or the stop ({@link Control}). */
  sealed interface Op permits Write, Control {}

  /**
   * What a batch writes ({@link BatchCommitter#commit}): the only ops the batch method ever sees.
   * {@code bytes}: what the op adds to its batch ({@link PackedOptions#maxBatchBytes}).
   */
  sealed interface Write extends Op permits Append, DeleteMarks.Delete, Place, Release {
    int bytes();
  }

  /**
   * What the committer runs between two batches, never inside one: a snapshot of the indexes (the
   * one-minute maintenance pass's checkpoint) or the stop. Kept out of {@link
   * BatchCommitter#commit} so that such a rare op never reaches the batch method's type checks:
   * that method is the store's hottest code (78-115 kB once C2 compiles it) and HotSpot compiles
   * its type checks for the op classes its profile saw. A snapshot reaching them once a minute
   * deoptimized it ({@code class_check} at its {@code instanceof} chain) and cost 174-383 ms of C2
   * CPU to compile it again, inside whatever ran then (benchmark/PROFILE.md, "jit26"). The
   * committer's loop tells the two kinds apart at one place per op ({@link BatchCommitter#loop}),
   * whose code is small to recompile should its profile change.
   */
  sealed interface Control extends Op permits Snapshot, Stop {}

  static final class Append implements Write {
    final ByteBuffer content;
    final int crc32;
    final int time;
    final int sizeHigh;
    final String extPart;
    final CompletableFuture<TrunkId> done;

    Append(
        ByteBuffer content,
        int crc32,
        int time,
        int sizeHigh,
        String extPart,
        CompletableFuture<TrunkId> done) {
      this.content = content;
      this.crc32 = crc32;
      this.time = time;
      this.sizeHigh = sizeHigh;
      this.extPart = extPart;
      this.done = done;
    }

    public int bytes() {
      return SlotHeader.slotLength(content.remaining());
    }
  }

  /**
   * A slot at a place its name gives: a reserved own slot ({@code copy} false) or a peer's. {@code
   * gone}: whether a peer's copy was abandoned by its source (it hung up before the answer), asked
   * when the committer's thread takes the copy into a batch, before anything of it is written: such
   * a copy is refused, never placed.
   */
  static final class Place implements Write {
    final TrunkId id;
    final ByteBuffer content;
    final long timestamp;
    final boolean copy;
    final boolean repair;
    final BooleanSupplier gone;
    final CompletableFuture<Boolean> done;

    Place(
        TrunkId id,
        ByteBuffer content,
        long timestamp,
        boolean copy,
        boolean repair,
        BooleanSupplier gone,
        CompletableFuture<Boolean> done) {
      this.id = id;
      this.content = content;
      this.timestamp = timestamp;
      this.copy = copy;
      this.repair = repair;
      this.gone = gone;
      this.done = done;
    }

    public int bytes() {
      return id.slotLength();
    }
  }

  static final class Release implements Write {
    final TrunkId id;
    final CompletableFuture<Void> done;

    Release(TrunkId id, CompletableFuture<Void> done) {
      this.id = id;
      this.done = done;
    }

    public int bytes() {
      return SlotHeader.SIZE;
    }
  }

  /** Copies of the indexes of the volumes changed since their last checkpoint, between batches. */
  static final class Snapshot implements Control {
    final CompletableFuture<List<IndexCheckpoint.Snapshot>> done;

    Snapshot(CompletableFuture<List<IndexCheckpoint.Snapshot>> done) {
      this.done = done;
    }
  }

  record Stop() implements Control {}

  /** For a slot whose source cannot hang up on it (see {@link Place}). */
  static final BooleanSupplier NEVER_GONE = () -> false;

  /** Taken by the committer's thread only ({@link BatchCommitter}). */
  final LinkedBlockingQueue<Op> ops = new LinkedBlockingQueue<>();

  private volatile boolean closed;

  CompletableFuture<TrunkId> append(
      ByteBuffer content, int crc32, int time, int sizeHigh, String extPart) {
    CompletableFuture<TrunkId> f = new CompletableFuture<>();
    offer(new Append(content, crc32, time, sizeHigh, extPart, f), f);
    return f;
  }

  CompletableFuture<Void> delete(TrunkId id, boolean recorded) {
    return delete(id, recorded, f -> f);
  }

  /**
   * As {@link #delete(TrunkId, boolean)}, with {@code then} composed on the mark before it is
   * queued: the continuation runs on the committer's thread once the mark is written (or on the
   * caller's when the store is closed), never on whichever thread happened to compose late. The
   * delete's round may then run on that thread after the batch ({@link PackedStore#afterBatch}).
   */
  <T> CompletableFuture<T> delete(
      TrunkId id, boolean recorded, Function<CompletableFuture<Void>, CompletableFuture<T>> then) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    CompletableFuture<T> out = then.apply(f);
    offer(new DeleteMarks.Delete(id, recorded, f), f);
    return out;
  }

  CompletableFuture<Void> release(TrunkId id) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    offer(new Release(id, f), f);
    return f;
  }

  CompletableFuture<Boolean> place(TrunkId id, ByteBuffer content, long timestamp, boolean copy) {
    return place(id, content, timestamp, copy, false, NEVER_GONE);
  }

  /** {@code repair}: rewrites a live slot of this name (its content checked by the caller). */
  CompletableFuture<Boolean> place(
      TrunkId id, ByteBuffer content, long timestamp, boolean copy, boolean repair) {
    return place(id, content, timestamp, copy, repair, NEVER_GONE);
  }

  /** {@code gone}: see {@link Place}; fails the copy EIO, unwritten, when true at its batch. */
  CompletableFuture<Boolean> place(
      TrunkId id,
      ByteBuffer content,
      long timestamp,
      boolean copy,
      boolean repair,
      BooleanSupplier gone) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    if (content.remaining() != id.fileSize()) {
      f.completeExceptionally(
          FdfsException.invalid(
              "replicated slot holds "
                  + content.remaining()
                  + " bytes, its name says "
                  + id.fileSize()));
      return f;
    }
    offer(new Place(id, content, timestamp, copy, repair, gone, f), f);
    return f;
  }

  CompletableFuture<List<IndexCheckpoint.Snapshot>> snapshot() {
    CompletableFuture<List<IndexCheckpoint.Snapshot>> f = new CompletableFuture<>();
    offer(new Snapshot(f), f);
    return f;
  }

  private void offer(Op op, CompletableFuture<?> f) {
    if (closed) {
      f.completeExceptionally(new FdfsException(Errno.EBUSY, "packed store is closed"));
      return;
    }
    ops.add(op);
  }

  /** Refuses every later ask, and queues the committer's stop behind what is queued already. */
  void close() {
    closed = true;
    ops.add(new Stop());
  }

  /** Completes the futures of a batch's written ops with their results. */
  static void answer(List<Write> written, List<Object> results) {
    for (int i = 0; i < written.size(); i++) {
      Write op = written.get(i);
      if (op instanceof Append a) {
        a.done.complete((TrunkId) results.get(i));
      } else if (op instanceof DeleteMarks.Delete d) {
        d.done().complete(null);
      } else if (op instanceof Place p) {
        p.done.complete((Boolean) results.get(i));
      } else if (op instanceof Release r) {
        r.done.complete(null);
      }
    }
  }

  static void fail(Op op, Throwable e) {
    if (op instanceof Append a) {
      a.done.completeExceptionally(e);
    } else if (op instanceof DeleteMarks.Delete d) {
      d.done().completeExceptionally(e);
    } else if (op instanceof Place p) {
      p.done.completeExceptionally(e);
    } else if (op instanceof Release r) {
      r.done.completeExceptionally(e);
    } else if (op instanceof Snapshot s) {
      s.done.completeExceptionally(e);
    }
  }
}
