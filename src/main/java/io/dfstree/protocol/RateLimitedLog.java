package io.dfstree.protocol;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Client mistakes logged at most once per kind per interval: the first occurrence is written, the
 * ones after it within the interval are only counted, and the next line written for that kind says
 * how many were left out. A flood of bad packets costs a few lines, not one per packet.
 * Thread-safe: connections on every event loop share one instance.
 */
public final class RateLimitedLog {
  private final Logger log;
  private final long intervalMs;
  private final LongSupplier clock;
  private final Map<String, Window> kinds = new ConcurrentHashMap<>();

  private static final class Window {
    volatile long openedAt = Long.MIN_VALUE / 2;
    final AtomicLong suppressed = new AtomicLong();
  }

  public RateLimitedLog(Logger log, long intervalMs) {
    this(log, intervalMs, System::currentTimeMillis);
  }

  public RateLimitedLog(Logger log, long intervalMs, LongSupplier clock) {
    this.log = log;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  /**
   * Logs {@code message} unless a line of the same {@code kind} was written less than an interval
   * ago. Returns whether it was written.
   */
  public boolean log(Level level, String kind, String message) {
    if (kinds.size() > 10_000) {
      kinds.clear(); // kinds come from a small fixed set; this only bounds a caller's mistake
    }
    Window w = kinds.computeIfAbsent(kind, k -> new Window());
    long now = clock.getAsLong();
    synchronized (w) {
      if (now - w.openedAt < intervalMs) {
        w.suppressed.incrementAndGet();
        return false;
      }
      w.openedAt = now;
    }
    long left = w.suppressed.getAndSet(0);
    String line =
        left == 0
            ? message
            : message
                + " (and "
                + left
                + " more like it in the last "
                + Math.max(1, intervalMs / 1000)
                + " s)";
    log.atLevel(level).log(line);
    return true;
  }

  public boolean warn(String kind, String message) {
    return log(Level.WARN, kind, message);
  }

  public boolean info(String kind, String message) {
    return log(Level.INFO, kind, message);
  }
}
