package io.dfstree.protocol;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link ClientPace} on a timer, for one protocol connection: every window it asks the
 * connection what it is doing and calls {@code onTrip} with a reason when the client is too slow
 * or idle too long. Also a short timer for writing out a stalled upload ({@link #soon}) and the
 * per-port connection cap ({@link Cap}).
 */
public final class ClientWatch {
  private final Vertx vertx;
  private final ClientPace pace;
  private final long timer;
  private long soonTimer = -1;
  /** How long bytes of a stalled upload may wait in heap before they are written out. */
  public static final long STALL_FLUSH_MS = 100;

  public ClientWatch(Vertx vertx, ClientLimits limits, Supplier<ClientPace.Phase> phase, Consumer<String> onTrip) {
    this.vertx = vertx;
    this.pace = new ClientPace(limits);
    this.timer = vertx.setPeriodic(limits.rateWindowMs(), id -> {
      switch (pace.tick(phase.get())) {
        case TOO_SLOW -> onTrip.accept("sent " + pace.lastWindowBytes() + " bytes in " + limits.rateWindowMs()
            + " ms in the middle of a request (minimum " + limits.minBytesPerWindow() + ")");
        case IDLE_TOO_LONG -> onTrip.accept("idle for " + limits.idleTimeoutMs() + " ms");
        default -> { }
      }
    });
  }

  public void received(int bytes) {
    pace.received(bytes);
  }

  /**
   * Runs {@code action} once {@link #STALL_FLUSH_MS} from now unless already scheduled: an upload
   * that stops short of a full write batch has its bytes written to disk, not kept in heap.
   */
  public void soon(Runnable action) {
    if (soonTimer < 0) {
      soonTimer = vertx.setTimer(STALL_FLUSH_MS, id -> {
        soonTimer = -1;
        action.run();
      });
    }
  }

  public void heldBack() {
    pace.heldBack();
  }

  public void stop() {
    vertx.cancelTimer(timer);
    if (soonTimer >= 0) {
      vertx.cancelTimer(soonTimer);
    }
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
    socket.handler(b -> { });
    socket.write(PacketHeader.status(Errno.EBUSY));
    vertx.setTimer(200, t -> socket.close());
  }
}
