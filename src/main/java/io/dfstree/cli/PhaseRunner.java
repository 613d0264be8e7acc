package io.dfstree.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Runs one benchmark phase: an operation over a list of indexes, one thread per worker, each
 * taking the next index until none is left or the phase's time is up; the latencies of the
 * successful operations and the first error are gathered into a {@link PhaseResult}. {@code bench}
 * and {@code bench-s3} both measure their phases with it, so their figures mean the same.
 */
final class PhaseRunner {
  private PhaseRunner() {}

  /** What one thread of a phase works through: its connections, kept across operations. */
  interface Worker {
    /** After a failed operation: forget connections that are out of step, to reconnect. */
    void afterFailure();
  }

  /** One unit of work on item {@code index}; throws on failure. */
  interface Operation<W extends Worker> {
    void run(W worker, int index) throws Exception;
  }

  /**
   * Runs {@code op} over {@code indexes} on every worker at once and gathers the figures. {@code
   * maxSeconds} > 0 stops starting operations after that long; {@code bytesPerOp} is the content an
   * operation moves (0: none).
   */
  static <W extends Worker> PhaseResult run(
      String name,
      int[] indexes,
      List<W> workers,
      double maxSeconds,
      long bytesPerOp,
      Operation<W> op) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long deadline = maxSeconds > 0 ? start + (long) (maxSeconds * 1e9) : Long.MAX_VALUE;
    List<Thread> threads = new ArrayList<>();
    List<Histogram> logs = new ArrayList<>();
    for (W w : workers) {
      // one histogram per worker thread, written only by it, added up once the threads are done
      Histogram log = new Histogram(PhaseResult.LATENCY_DIGITS);
      logs.add(log);
      Thread t =
          new Thread(
              () -> {
                int k;
                while (System.nanoTime() < deadline
                    && (k = next.getAndIncrement()) < indexes.length) {
                  long t0 = System.nanoTime();
                  try {
                    op.run(w, indexes[k]);
                    log.recordValue(System.nanoTime() - t0);
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                    w.afterFailure();
                  }
                }
              },
              "bench-" + name + "-" + threads.size());
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram latencies = new Histogram(PhaseResult.LATENCY_DIGITS);
    logs.forEach(latencies::add);
    return new PhaseResult(
        name,
        (int) latencies.getTotalCount(),
        errors.get(),
        seconds,
        bytesPerOp,
        latencies,
        firstError.get());
  }

  /** The indexes 0 .. n-1. */
  static int[] upTo(int n) {
    int[] all = new int[n];
    java.util.Arrays.setAll(all, i -> i);
    return all;
  }
}
