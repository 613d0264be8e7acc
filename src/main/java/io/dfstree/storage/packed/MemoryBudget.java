package io.dfstree.storage.packed;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on the bytes of small files held in memory between their arrival and their slot ({@code
 * storage.packed.maxPendingBytes}): an upload that finds it full goes to the one-file engine
 * instead (streamed to disk), so many slow small uploads cannot grow the heap.
 */
public final class MemoryBudget {
  private final long max;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long max) {
    this.max = max;
  }

  /** Takes {@code n} bytes when they fit under the cap; false (nothing taken) when not. */
  public boolean tryTake(long n) {
    while (true) {
      long u = used.get();
      if (u + n > max) {
        return false;
      }
      if (used.compareAndSet(u, u + n)) {
        return true;
      }
    }
  }

  public void release(long n) {
    used.addAndGet(-n);
  }

  public long used() {
    return used.get();
  }

  public long max() {
    return max;
  }
}
