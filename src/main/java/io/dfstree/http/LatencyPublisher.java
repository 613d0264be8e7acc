package io.dfstree.http;

import io.dfstree.api.Addresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a storage's p99 upload and download latency on {@link Addresses#STORAGE_LATENCY} every
 * heartbeat interval, for the console's charts. Read from the storage's own timers ({@code
 * dfstree.upload}, {@code dfstree.download}, every protocol), whose percentiles cover Micrometer's
 * rolling window (the last two minutes); the slowest protocol is reported.
 */
public final class LatencyPublisher {
  private final Vertx vertx;
  private final MeterRegistry registry;
  private final int storageId;

  public LatencyPublisher(Vertx vertx, MeterRegistry registry, int storageId) {
    this.vertx = vertx;
    this.registry = registry;
    this.storageId = storageId;
  }

  /** Starts publishing; returns the timer id. */
  public long start(long intervalMs) {
    return vertx.setPeriodic(
        intervalMs, t -> vertx.eventBus().publish(Addresses.STORAGE_LATENCY, message()));
  }

  JsonObject message() {
    return new JsonObject()
        .put("storageId", storageId)
        .put("uploadP99Ms", p99Ms("dfstree.upload"))
        .put("downloadP99Ms", p99Ms("dfstree.download"));
  }

  /** The largest p99 over the timers of that name, in ms; -1 when none has recent requests. */
  double p99Ms(String name) {
    double worst = -1;
    for (Timer t : registry.find(name).timers()) {
      for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
        if (v.percentile() == 0.99 && v.value() > 0) {
          worst = Math.max(worst, v.value(TimeUnit.MILLISECONDS));
        }
      }
    }
    return worst;
  }
}
