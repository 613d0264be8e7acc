package io.dfstree.protocol;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link ClientPace} on a timer, for one protocol connection: every window it asks the connection
 * what it is doing and calls {@code onTrip} with a reason when the client is too slow or idle too
 * long. Also a short timer for writing out a stalled upload ({@link #soon}) and the per-port
 * connection cap ({@link Cap}).
 *
 * <p>The timers are not the connection's own: all watches of one event loop share one coarse tick,
 * running only while that loop has connections. A client that connects per operation (the official
 * FastDFS client does) then costs a slot in an array, not a timer set and cancelled per connection
 * and one more per upload. Each connection's windows still start when it was opened; they end on
 * the first tick after {@code rateWindowMs}, so a verdict may come up to one tick later, never
 * earlier.
 *
 * <p>The tick is not periodic: it is set for the earliest thing a watch is waiting for (a window's
 * end or a {@link #soon} action), at least {@link #STALL_FLUSH_MS} after the previous tick. An idle
 * long-lived connection (a peer storage's catch-up connection, held open all the time) then wakes
 * its loop once per {@code rateWindowMs} (10 s), not every 100 ms (benchmark/PROFILE.md, "idle22").
 */
public final class ClientWatch {
  /** How long bytes of a stalled upload may wait in heap before they are written out. */
  public static final long STALL_FLUSH_MS = 100;

  private final ClientLimits limits;
  private final ClientPace pace;
  private final Supplier<ClientPace.Phase> phase;
  private final Consumer<String> onTrip;
  private final Ticks ticks;

  /** Index in {@link Ticks#watches}; -1 once stopped. */
  private int slot = -1;

  private long windowEndsMs;
  private Runnable soon;
  private long soonAtMs;

  public ClientWatch(
      Vertx vertx, ClientLimits limits, Supplier<ClientPace.Phase> phase, Consumer<String> onTrip) {
    this.limits = limits;
    this.pace = new ClientPace(limits);
    this.phase = phase;
    this.onTrip = onTrip;
    this.ticks = Ticks.of(vertx);
    this.windowEndsMs = Ticks.nowMs() + limits.rateWindowMs();
    ticks.add(this);
  }

  public void received(int bytes) {
    pace.received(bytes);
  }

  /**
   * Runs {@code action} once, {@link #STALL_FLUSH_MS} from now (at the tick after), unless one is
   * already scheduled: an upload that stops short of a full write batch has its bytes written to
   * disk, not kept in heap.
   */
  public void soon(Runnable action) {
    if (soon == null && slot >= 0) {
      soon = action;
      soonAtMs = Ticks.nowMs() + STALL_FLUSH_MS;
      ticks.tickBy(soonAtMs);
    }
  }

  public void heldBack() {
    pace.heldBack();
  }

  public void stop() {
    soon = null;
    ticks.remove(this);
  }

  private void tick(long nowMs) {
    Runnable due = soon;
    if (due != null && nowMs >= soonAtMs) {
      soon = null;
      due.run();
    }
    if (slot < 0 || nowMs < windowEndsMs) {
      return;
    }
    windowEndsMs = Math.max(windowEndsMs + limits.rateWindowMs(), nowMs + 1);
    switch (pace.tick(phase.get())) {
      case TOO_SLOW ->
          onTrip.accept(
              "sent "
                  + pace.lastWindowBytes()
                  + " bytes in "
                  + limits.rateWindowMs()
                  + " ms in the middle of a request (minimum "
                  + limits.minBytesPerWindow()
                  + ")");
      case IDLE_TOO_LONG -> onTrip.accept("idle for " + limits.idleTimeoutMs() + " ms");
      default -> {}
    }
  }

  /**
   * The watches of one event loop (one Vert.x context) and their shared tick; used on that loop
   * only.
   */
  private static final class Ticks {
    private static final String KEY = Ticks.class.getName();
    private final Vertx vertx;
    private ClientWatch[] watches = new ClientWatch[16];
    private int size;
    private long timer = -1;

    /** When the set timer fires (ms, {@link #nowMs} clock); meaningful while {@code timer >= 0}. */
    private long timerAtMs;

    /** When the last tick ran: ticks stay at least {@link #STALL_FLUSH_MS} apart. */
    private long lastTickMs = Long.MIN_VALUE / 2;

    /** Ticks run so far (tests: an idle loop is not woken every {@link #STALL_FLUSH_MS}). */
    private long ticksRun;

    private Ticks(Vertx vertx) {
      this.vertx = vertx;
    }

    static Ticks of(Vertx vertx) {
      Context ctx = vertx.getOrCreateContext();
      Ticks t = ctx.get(KEY);
      if (t == null) {
        t = new Ticks(vertx);
        ctx.put(KEY, t);
      }
      return t;
    }

    static long nowMs() {
      return System.nanoTime() / 1_000_000;
    }

    void add(ClientWatch w) {
      if (size == watches.length) {
        watches = Arrays.copyOf(watches, size * 2);
      }
      w.slot = size;
      watches[size++] = w;
      tickBy(w.windowEndsMs);
    }

    void remove(ClientWatch w) {
      int i = w.slot;
      if (i < 0) {
        return;
      }
      w.slot = -1;
      ClientWatch last = watches[--size];
      watches[size] = null;
      if (last != w) {
        watches[i] = last;
        last.slot = i;
      }
      // the timer is left to fire: with no watch left it is not set again (no cancel per close)
    }

    /**
     * Makes sure a tick runs at {@code dueMs} or up to {@link #STALL_FLUSH_MS} after it (what a
     * periodic tick of that period gave): a timer already set within that keeps serving, so a
     * connection opened or a flush asked for costs a comparison, not a timer, while the loop is
     * busy.
     */
    void tickBy(long dueMs) {
      if (timer >= 0 && timerAtMs <= dueMs + STALL_FLUSH_MS) {
        return;
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      long at = Math.max(dueMs, lastTickMs + STALL_FLUSH_MS);
      long delay = Math.max(1, at - nowMs());
      timerAtMs = nowMs() + delay;
      timer = vertx.setTimer(delay, id -> tick());
    }

    private void tick() {
      timer = -1;
      ticksRun++;
      if (size == 0) {
        return; // no connection left: an idle loop has no tick
      }
      long now = nowMs();
      lastTickMs = now;
      // downwards: a watch removed meanwhile (a trip closes its connection) moves a visited one
      // into its place
      for (int i = size - 1; i >= 0; i--) {
        if (i < size) {
          watches[i].tick(now);
        }
      }
      long next = Long.MAX_VALUE;
      for (int i = 0; i < size; i++) {
        ClientWatch w = watches[i];
        next =
            Math.min(next, w.soon != null ? Math.min(w.soonAtMs, w.windowEndsMs) : w.windowEndsMs);
      }
      if (next != Long.MAX_VALUE) {
        tickBy(next); // a timer a flush set meanwhile serves if it is early enough
      }
    }
  }

  /** Ticks run on the calling event loop so far (tests). */
  static long ticksRun(Vertx vertx) {
    return Ticks.of(vertx).ticksRun;
  }

  /** Connections open on one port, against {@link ClientLimits#maxConnections()}. */
  public static final class Cap {
    private final AtomicInteger open = new AtomicInteger();

    /** Takes a slot; false when the port is full (the slot is not taken). */
    public boolean tryOpen(int max) {
      while (true) {
        int n = open.get();
        if (n >= max) {
          return false;
        }
        if (open.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    public void closed() {
      open.decrementAndGet();
    }

    public int open() {
      return open.get();
    }
  }

  /**
   * Refuses a connection cleanly: an EBUSY response (what the client reads as the answer to its
   * first request), whatever it sends read and dropped so the close is not a reset, then closed.
   */
  public static void refuse(Vertx vertx, NetSocket socket) {
    socket.handler(b -> {});
    socket.write(PacketHeader.status(Errno.EBUSY));
    vertx.setTimer(200, t -> socket.close());
  }
}
