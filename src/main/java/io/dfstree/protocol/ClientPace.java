package io.dfstree.protocol;

/**
 * Decides, one window at a time, whether a client is wasting a connection: in the middle of a
 * request it must send at least {@link ClientLimits#minBytesPerWindow()} bytes per whole window (a
 * trickle trips it, not only a stop), and between requests it may stay silent for {@link
 * ClientLimits#idleTimeoutMs()}. A window in which the server held the client back (socket paused
 * for a slow disk or peer, a request being served) never counts against it. Pure: the caller feeds
 * bytes and ticks.
 */
public final class ClientPace {
  /** What the connection is doing when a window ends. */
  public enum Phase {
    /** no request in progress: the idle timeout applies */
    IDLE,
    /** part of a request has arrived and the rest is the client's to send: the byte rate applies */
    READING,
    /** the server holds the connection (working on a request, socket paused): nothing applies */
    SERVING
  }

  /** The outcome of a window. */
  public enum Verdict {
    OK,
    TOO_SLOW,
    IDLE_TOO_LONG
  }

  private final ClientLimits limits;
  private long bytesInWindow;
  private boolean heldBackInWindow;
  private Phase previous = Phase.IDLE;
  private long idleMs;
  private long lastWindowBytes;

  public ClientPace(ClientLimits limits) {
    this.limits = limits;
  }

  public void received(long bytes) {
    bytesInWindow += bytes;
  }

  /** The server paused or held the client during this window. */
  public void heldBack() {
    heldBackInWindow = true;
  }

  /** Bytes received in the window that ended last (for the log line). */
  public long lastWindowBytes() {
    return lastWindowBytes;
  }

  /** Ends a window; {@code now} is what the connection is doing at its end. */
  public Verdict tick(Phase now) {
    long bytes = bytesInWindow;
    boolean held = heldBackInWindow || now == Phase.SERVING;
    Phase before = previous;
    lastWindowBytes = bytes;
    bytesInWindow = 0;
    heldBackInWindow = false;
    previous = now;
    if (held) {
      idleMs = 0;
      return Verdict.OK;
    }
    if (now == Phase.READING) {
      idleMs = 0;
      // only a window spent wholly inside a request is the client's to fill
      return before == Phase.READING && bytes < limits.minBytesPerWindow()
          ? Verdict.TOO_SLOW
          : Verdict.OK;
    }
    idleMs = bytes == 0 && before == Phase.IDLE ? idleMs + limits.rateWindowMs() : 0;
    return idleMs >= limits.idleTimeoutMs() ? Verdict.IDLE_TOO_LONG : Verdict.OK;
  }
}
