package io.dfstree.storage.packed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a packed volume grows under the committer's writes, and the thread that grows it ahead of
 * them. Before a write past what a volume has written, the committer asks {@link #growFor}: zeros
 * first, {@link #GROW_AHEAD} past the write, so that the next batches' {@code fdatasync} commits no
 * new file size; or, in a batch of {@link #GROW_WITHOUT_ZEROS} or more, the write makes the file
 * longer itself. After a small batch it asks {@link #ahead}: the next zeros are written and forced
 * on a thread of this class, one per store ({@code packed-grow-Mxx}), before the committer needs
 * the room. Without that thread, the batch whose write passed the zeros wrote the next 1 MiB of
 * zeros and its {@code fdatasync} carried them (and the file's new size) to the device: at c=1 one
 * lone 64 KiB upload in 16 (one 4 KiB upload in 256) waited ~2-3 ms more, the row's p99
 * (benchmark/PROFILE.md, up64 and pregrow).
 *
 * <p>The one rule that keeps slots safe: the grower writes only at or past the committer's {@link
 * Volume#writtenEnd} as it was when the grow was asked for, and the committer writes nothing there
 * until it has {@linkplain #adopt stopped} the grow and waited for its last zero write. The
 * committer's own force then makes whatever the grower wrote durable with its batch, as an inline
 * grow was; the grower's force only does it earlier, off the upload's path. Durability of an
 * answered write is unchanged: every batch still forces every volume it wrote before it answers; a
 * crash leaves zeros (or nothing) past the last slot, which a restart takes for free room ({@link
 * VolumeScanner}).
 */
final class VolumeGrower {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeGrower.class);

  /**
   * With fsync on, a write that would make a volume longer first writes zeros this far past its end
   * ({@link #growFor}). A batch that makes the file longer has its {@code fdatasync} commit the
   * inode (new size, new blocks) through the filesystem's journal: two device flushes in a row
   * instead of one, and on a member whose batch forces two volumes (its own slots and a peer's
   * copies) the second force paid a journal commit of its own. Measured here (ext4 on virtio,
   * 4,128-byte slots, p50): one growing file 0.5-0.7 ms, one written ahead 0.3-0.4 ms; two growing
   * files in series 1.9-2.6 ms, two written ahead 0.7-1.2 ms. One batch in every 1 MiB of slots
   * pays for the zeros (written once, in page cache, then with that batch's force). A restart takes
   * the zeros after the last slot for free space ({@link VolumeScanner}).
   */
  static final long GROW_AHEAD = 1024 * 1024;

  /**
   * A batch of at least this many bytes makes its volumes longer by its own slots, without zeros
   * ahead ({@link #growFor}). Every zero written ahead reaches the device twice: once as a zero,
   * then under the slot that overwrites it, so zeros ahead double what a volume costs the device.
   * Measured here (ext4 on virtio, two members at once, each batch 64 KiB slots into its own volume
   * and its peer's): 8 slots per volume 233 MiB/s per member with zeros ahead, 355 without; 16
   * slots 310 against 473; one slot per batch (a lone upload) 0.36 ms per batch with zeros, 0.44
   * without (the inode's new size costs ~0.2 ms per force). So small batches keep the zeros, large
   * ones, which in a busy group of 64 KiB uploads left half of the device's writes to zeros
   * (benchmark/PROFILE.md, up64), grow the file themselves.
   */
  static final long GROW_WITHOUT_ZEROS = 256 * 1024;

  /**
   * A volume whose room written ahead of its slots falls below this after a small batch gets the
   * next {@link #GROW_AHEAD} of zeros in the background: eight 64 KiB uploads (128 of 4 KiB) of
   * time for the grow to finish before a batch needs the room.
   */
  static final long LOW_WATER = 512 * 1024;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

  /** One grow of one volume: zeros from {@code from} to {@code to}. */
  static final class Grow {
    final Volume volume;
    final long from;
    final long to;

    /** Set by the committer: write no more zeros. */
    volatile boolean stop;

    /** Zeros written up to here (not yet forced, maybe). */
    volatile long reached;

    /** True once the grower writes nothing more for this grow (done, stopped or failed). */
    volatile boolean writing = true;

    /** True once the zeros up to {@code to} are written and forced. */
    volatile boolean forced;

    private final Object lock = new Object();

    Grow(Volume volume, long from, long to) {
      this.volume = volume;
      this.from = from;
      this.to = to;
      this.reached = from;
    }

    private void finishedWriting() {
      synchronized (lock) {
        writing = false;
        lock.notifyAll();
      }
    }

    /** Committer: stops the grow and waits until no zero write of it is in flight. */
    private void stopAndWait() throws IOException {
      stop = true;
      synchronized (lock) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (writing) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            // never write under a zero write that may still land: fail this batch's write
            throw new IOException("zeros ahead of " + volume.path + " still being written");
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for zeros ahead of " + volume.path, e);
          }
        }
      }
    }
  }

  private final LinkedBlockingQueue<Grow> jobs = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  /** Grows finished by this thread (zeros written and forced) (tests, the profile). */
  volatile long grown;

  /** Grows asked for, finished or stopped (committer thread; tests). */
  volatile long asked;

  VolumeGrower(int storePathIndex) {
    thread = new Thread(this::run, String.format("packed-grow-M%02X", storePathIndex));
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Committer thread, after a small batch wrote {@code v} up to {@code dataEnd}: asks for the next
   * zeros when the room left is below {@link #LOW_WATER}, unless a grow of {@code v} is asked for
   * already. A finished grow's zeros are taken first.
   */
  void ahead(PackedOptions options, Volume v, long dataEnd) {
    Grow g = v.grow;
    if (g != null) {
      if (g.writing) {
        return; // still at it
      }
      v.writtenEnd = Math.max(v.writtenEnd, g.reached);
      v.grow = null;
    }
    if (closed || v.writtenEnd >= options.volumeSize() || v.writtenEnd - dataEnd >= LOW_WATER) {
      return;
    }
    long to = Math.min(options.volumeSize(), v.writtenEnd + GROW_AHEAD);
    g = new Grow(v, v.writtenEnd, to);
    v.grow = g;
    asked++;
    jobs.add(g);
  }

  /**
   * Before a write that ends at {@code end}: when it would pass what the volume has written, zeros
   * first, up to {@link #GROW_AHEAD} past it (within the volume size), so that the next batches
   * write inside the file; in a batch of {@link #GROW_WITHOUT_ZEROS} or more ({@code withoutZeros})
   * the write makes the file longer itself. Only with fsync on (without it nothing waits for a
   * journal commit). Committer thread.
   */
  static void growFor(PackedOptions options, Volume v, long end, boolean withoutZeros)
      throws IOException {
    if (!options.fsync() || end <= v.writtenEnd) {
      return;
    }
    adopt(v); // the zeros a grow thread wrote past writtenEnd, stopped first
    if (end <= v.writtenEnd) {
      return;
    }
    v.inlineGrows++;
    if (withoutZeros) {
      // the write itself makes the file longer; a gap before it stays a hole until its slot comes
      v.writtenEnd = end;
      return;
    }
    v.zeroTo(Math.max(end, Math.min(options.volumeSize(), end + GROW_AHEAD)));
  }

  /**
   * Committer thread, before a write past {@link Volume#writtenEnd}: stops the volume's grow (at
   * most one 64 KiB zero write to wait for) and takes the zeros it wrote as written room.
   */
  static void adopt(Volume v) throws IOException {
    Grow g = v.grow;
    if (g == null) {
      return;
    }
    g.stopAndWait();
    v.writtenEnd = Math.max(v.writtenEnd, g.reached);
    v.grow = null;
  }

  private void run() {
    while (true) {
      Grow g;
      try {
        g = jobs.take();
      } catch (InterruptedException e) {
        return;
      }
      if (g.volume == null) {
        return; // closed
      }
      try {
        grow(g);
      } catch (IOException | RuntimeException e) {
        // the committer grows inline when it needs the room (or fails that batch then)
        LOG.warn("packed volume {}: zeros ahead not written: {}", g.volume.path, e.toString());
      } finally {
        g.finishedWriting();
      }
    }
  }

  private void grow(Grow g) throws IOException {
    long at = g.from;
    while (at < g.to) {
      if (g.stop || closed) {
        return;
      }
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), g.to - at));
      at += g.volume.channel.write(z, at);
      g.reached = at;
    }
    g.finishedWriting(); // the committer may write there now; the force below is only earlier
    if (!g.stop && !closed) {
      g.volume.channel.force(false);
      g.forced = true;
      grown++;
    }
  }

  /**
   * After the committer's last batch, before the volumes close. Not by interrupting the thread: an
   * interrupt inside a write or {@code force} would close the volume's channel.
   */
  void close() {
    closed = true;
    jobs.add(new Grow(null, 0, 0));
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
