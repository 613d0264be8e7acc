package io.dfstree.storage;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The storage's disk threads, with a way to stop cleanly: {@link #drain} refuses every task
 * submitted after it and waits for those already submitted (queued or running) to end.
 *
 * <p>Why: a change is placed and its binlog line written in one disk task. A storage that stops
 * closes its binlog; a task still running then (a peer's copy arriving, an upload finishing) would
 * place a file with no binlog line, which peers then never learn of. Draining first means every
 * change either completed with its line, or was refused before it touched the disk (its sender
 * hears {@code EBUSY} and the change is not acknowledged).
 */
final class DrainingExecutor implements WorkerExecutor {
  private final WorkerExecutor delegate;
  private final Object monitor = new Object();
  private int inFlight; // guarded by monitor
  private boolean draining; // guarded by monitor
  private long submitted; // guarded by monitor

  DrainingExecutor(WorkerExecutor delegate) {
    this.delegate = delegate;
  }

  @Override
  public <T> Future<T> executeBlocking(Callable<T> task, boolean ordered) {
    synchronized (monitor) {
      if (draining) {
        return Future.failedFuture(new FdfsException(Errno.EBUSY, "storage is stopping"));
      }
      inFlight++;
      submitted++;
    }
    try {
      return delegate.executeBlocking(
          () -> {
            try {
              return task.call();
            } finally {
              ended();
            }
          },
          ordered);
    } catch (RuntimeException e) { // the pool refused it: it will never run
      ended();
      throw e;
    }
  }

  private void ended() {
    synchronized (monitor) {
      inFlight--;
      if (inFlight == 0) {
        monitor.notifyAll();
      }
    }
  }

  /**
   * Blocking (never on an event loop): refuses new tasks from now on, then waits up to {@code
   * timeoutMs} for the submitted ones to end. Returns how many had not ended by then.
   */
  int drain(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (monitor) {
      draining = true;
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
      return inFlight;
    }
  }

  /** Whether {@link #drain} has begun: new tasks are refused. */
  boolean draining() {
    synchronized (monitor) {
      return draining;
    }
  }

  /** Tasks accepted since the start: how many disk hops a request path takes shows here. */
  long submitted() {
    synchronized (monitor) {
      return submitted;
    }
  }

  /** Tasks submitted and not yet ended. */
  int inFlight() {
    synchronized (monitor) {
      return inFlight;
    }
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  @Override
  public boolean isMetricsEnabled() {
    return delegate.isMetricsEnabled();
  }
}
