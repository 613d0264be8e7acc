package io.dfstree.storage.packed;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the binlog lines of packed slots durable off the acknowledgement path: one thread forces
 * the log whenever lines were written since its last force, so the committer's batch waits for the
 * volume's sync only. What a crash can take is bounded: once the slots whose lines are not yet
 * durable pass {@code maxUnsyncedBytes}, the committer forces the log itself before its next batch
 * ({@link #bound}). A restart re-records the slots of the last {@code maxUnsyncedBytes} of each
 * volume whose lines are missing ({@link PackedStore#recentSlots}).
 *
 * <p>It lingers {@code lingerMs} after the first unsynced line before it forces, so that the lines
 * of the batches committed meanwhile share that force: without it every batch cost two syncs on
 * each member, its volume's and then the binlog's, and under a load whose batches hold one or two
 * slots (uploads arrive slower than a sync takes) that doubled the syncs per upload.
 */
public final class LineForcer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LineForcer.class);

  private final SlotLog log;
  private final long maxUnsyncedBytes;
  private final long lingerNanos;
  private final Thread thread;

  /** Slot bytes whose lines were written, and how many of them a completed force covers. */
  private long written;

  private long forced;
  private boolean closed;

  public LineForcer(SlotLog log, long maxUnsyncedBytes, String name) {
    this(log, maxUnsyncedBytes, 0, name);
  }

  /** {@code lingerMs}: how long lines wait for others to share their force (see the class). */
  public LineForcer(SlotLog log, long maxUnsyncedBytes, long lingerMs, String name) {
    this.log = log;
    this.maxUnsyncedBytes = maxUnsyncedBytes;
    this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Lines for {@code slotBytes} more bytes of slots were written (committer thread). */
  public synchronized void wrote(long slotBytes) {
    if (written == forced) {
      notifyAll(); // only an idle forcer waits for lines; a lingering one looks at the end
    }
    written += slotBytes;
  }

  /**
   * Committer thread, before a batch: when the slots without durable lines pass the bound, forces
   * the log here and now (the background force has fallen behind, e.g. on a slow disk).
   */
  public void bound() throws IOException {
    long target;
    synchronized (this) {
      if (written - forced <= maxUnsyncedBytes) {
        return;
      }
      target = written;
    }
    log.force();
    covered(target);
  }

  /** Slot bytes whose lines are not known durable yet (tests, metrics). */
  public synchronized long unsynced() {
    return written - forced;
  }

  private synchronized void covered(long target) {
    forced = Math.max(forced, target);
  }

  private void loop() {
    while (true) {
      long target;
      synchronized (this) {
        while (!closed && written == forced) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed && written == forced) {
          return;
        }
        long until = System.nanoTime() + lingerNanos;
        for (long left = lingerNanos; left > 0 && !closed; left = until - System.nanoTime()) {
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            return;
          }
        }
        target = written;
      }
      try {
        log.force();
        covered(target);
      } catch (IOException e) {
        LOG.error("packed store: forcing the binlog failed: {}", e.toString());
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Forces what is left and stops the thread. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
