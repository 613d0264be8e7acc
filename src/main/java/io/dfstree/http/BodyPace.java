package io.dfstree.http;

import io.dfstree.protocol.ClientLimits;
import io.dfstree.protocol.ClientPace;
import io.dfstree.protocol.ClientWatch;
import io.dfstree.protocol.RateLimitedLog;
import io.vertx.core.Vertx;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The minimum body rate of one HTTP or WebSocket upload, as on the FastDFS port ({@code
 * storage.limits.rateWindowMs} / {@code minBytesPerWindow}): a body that sends fewer bytes than
 * that in a whole window is cut. The connection idle timeout alone does not catch a 1 byte/s
 * trickle, since each byte resets it. Windows in which we held the body back (the disk or a peer
 * was slow, the write queue full) never count against the client. One per upload, on the request's
 * event loop; {@link #done} once the body is in.
 */
final class BodyPace {
  private static final RateLimitedLog LOG =
      new RateLimitedLog(
          LoggerFactory.getLogger(BodyPace.class), ClientLimits.DEFAULT_LOG_INTERVAL_MS);

  private final ClientWatch watch;
  private boolean pausedByUs;
  private boolean done;

  /** Starts measuring; {@code onTooSlow} gets the reason when the client trickles. */
  BodyPace(Vertx vertx, ClientLimits limits, String what, Consumer<String> onTooSlow) {
    this.watch =
        new ClientWatch(
            vertx,
            limits,
            () -> done || pausedByUs ? ClientPace.Phase.SERVING : ClientPace.Phase.READING,
            reason -> {
              if (!done) {
                done();
                LOG.log(Level.INFO, "slow-" + what, what + " upload cut: " + reason);
                onTooSlow.accept(reason);
              }
            });
  }

  void received(int bytes) {
    watch.received(bytes);
  }

  /** We stopped reading the body (write queue full) or started again. */
  void pausedByUs(boolean paused) {
    pausedByUs = paused;
    if (paused) {
      watch.heldBack();
    }
  }

  /** The body is in (or the upload failed): nothing more to measure. */
  void done() {
    if (!done) {
      done = true;
      watch.stop();
    }
  }
}
