package io.dfstree.http;

import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds the console's one-hour {@link MetricsHistory} from the storages' heartbeats and latency
 * messages on the event bus, samples it every {@value #SAMPLE_MS} ms, and serves it as {@code GET
 * /api/history[?since=<ms>]} (only samples newer than {@code since}: a page polls for what is new
 * after loading the whole hour once). Create it on the tracker's context: the history is only
 * touched from that event loop.
 */
public final class ConsoleCharts {
  static final long SAMPLE_MS = 5_000;
  static final long WINDOW_MS = 3_600_000;

  private final Vertx vertx;
  private final MetricsHistory history;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long timer = -1;

  public ConsoleCharts(Vertx vertx) {
    this(vertx, new MetricsHistory(SAMPLE_MS, WINDOW_MS));
  }

  ConsoleCharts(Vertx vertx, MetricsHistory history) {
    this.vertx = vertx;
    this.history = history;
  }

  public void mount(Router router) {
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.HEARTBEAT,
                m -> {
                  try {
                    history.heartbeat(Heartbeat.fromJson(m.body()), System.currentTimeMillis());
                  } catch (RuntimeException malformed) {
                    // the tracker logs malformed heartbeats once; a chart just skips them
                  }
                }));
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.STORAGE_LATENCY,
                m -> {
                  JsonObject b = m.body();
                  if (b != null && b.getValue("storageId") instanceof Number id) {
                    history.latency(
                        id.intValue(), number(b, "uploadP99Ms"), number(b, "downloadP99Ms"));
                  }
                }));
    timer =
        vertx.setPeriodic(history.intervalMs(), t -> history.sample(System.currentTimeMillis()));
    router
        .get("/api/history")
        .handler(
            ctx -> {
              long since;
              try {
                since = Long.parseLong(ctx.request().getParam("since", "0"));
              } catch (NumberFormatException e) {
                HttpErrors.send(ctx.response(), 400, "since must be a time in milliseconds");
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/json")
                  .putHeader("cache-control", "no-store")
                  .end(history.toJson(since).put("now", System.currentTimeMillis()).encode());
            });
  }

  private static double number(JsonObject o, String key) {
    return o.getValue(key) instanceof Number n ? n.doubleValue() : -1;
  }

  public void close() {
    consumers.forEach(MessageConsumer::unregister);
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
