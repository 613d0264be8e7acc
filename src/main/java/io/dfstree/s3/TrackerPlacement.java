package io.dfstree.s3;

import io.dfstree.api.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The group a new object goes to, chosen by the tracker as it chooses one for a FastDFS upload (its
 * {@code storeLookup}: round robin, a set group, or the one with most free space): the tracker's
 * {@code store} query over the event bus, once per object, as a FastDFS client asks once per
 * upload.
 */
final class TrackerPlacement {
  /** A tracker slower than this to answer leaves the object in the endpoint's own group. */
  static final long TIMEOUT_MS = 5_000;

  private final Vertx vertx;

  TrackerPlacement(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The group the tracker picks; fails when no tracker answers or every group is full. */
  Future<String> group() {
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.TRACKER_QUERY,
            new JsonObject().put("op", "store"),
            new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .map(
            m -> {
              String g = m.body().getString("group");
              if (g == null || g.isEmpty()) {
                throw new IllegalStateException("tracker answered no group: " + m.body());
              }
              return g;
            });
  }
}
