package io.dfstree.http;

import io.dfstree.api.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The web console on the tracker's HTTP port:
 *
 * <ul>
 *   <li>{@code GET /console/} the static page (classpath {@code console/}: index.html, app.js,
 *       console.css);
 *   <li>{@code GET /api/groups} the group map as JSON ({@code GroupMap#toJson()});
 *   <li>{@code GET /api/events} Server-Sent Events: the file events storages publish on {@link
 *       Addresses#FILE_EVENTS}; a new viewer first gets the last {@value #KEEP}.
 * </ul>
 *
 * Must be created on the tracker's context: the group map supplier and the event list are only
 * touched from its event loop.
 */
public final class ConsoleRoutes {
  static final int KEEP = 50;
  static final long PING_MS = 15_000;

  private final Vertx vertx;
  private final Supplier<JsonObject> groups;
  private final Deque<JsonObject> recent = new ArrayDeque<>();
  private final Set<HttpServerResponse> viewers = new LinkedHashSet<>();
  private MessageConsumer<JsonObject> consumer;
  private long pingTimer = -1;

  public ConsoleRoutes(Vertx vertx, Supplier<JsonObject> groups) {
    this.vertx = vertx;
    this.groups = groups;
  }

  /** Subscribes to file events and mounts the routes on {@code router}. */
  public void mount(Router router) {
    consumer = vertx.eventBus().consumer(Addresses.FILE_EVENTS, m -> onMessage(m.body()));
    pingTimer = vertx.setPeriodic(PING_MS, id -> viewers.forEach(r -> send(r, ": ping\n\n")));
    router.getWithRegex("/console").handler(ctx -> ctx.redirect("/console/"));
    // the port's root too: the banner's console address is easy to shorten to host:port, which a
    // first user then met as a 404 (session 34's first run); nothing else lives at "/"
    router.getWithRegex("/").handler(ctx -> ctx.redirect("/console/"));
    router
        .route("/console/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(
            StaticHandler.create("console")
                .setCachingEnabled(false)
                .setDirectoryListing(false)
                .setIndexPage("index.html"));
    router
        .get("/api/groups")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .putHeader("cache-control", "no-store")
                    .end(groups.get().encode()));
    router.get("/api/events").handler(ctx -> subscribe(ctx.response()));
  }

  /** Stops listening (the tracker's HTTP server closes the streams). */
  public void close() {
    if (consumer != null) {
      consumer.unregister();
    }
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
  }

  private void subscribe(HttpServerResponse res) {
    res.setChunked(true)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-store")
        .putHeader("x-accel-buffering", "no");
    StringBuilder hello = new StringBuilder("retry: 2000\n\n");
    recent.forEach(e -> hello.append(frame(e)));
    res.write(hello.toString());
    viewers.add(res);
    res.closeHandler(v -> viewers.remove(res));
    res.exceptionHandler(e -> viewers.remove(res));
  }

  /** A message on the file-event address: a batch of events (or one). */
  void onMessage(JsonObject message) {
    if (message == null) {
      return;
    }
    StringBuilder frames = new StringBuilder();
    for (io.dfstree.api.FileEvent e : io.dfstree.api.FileEvent.fromMessage(message)) {
      JsonObject event = e.toJson();
      recent.addLast(event);
      frames.append(frame(event));
    }
    while (recent.size() > KEEP) {
      recent.removeFirst();
    }
    String f = frames.toString();
    if (!f.isEmpty()) {
      viewers.forEach(r -> send(r, f));
    }
  }

  /** A viewer that cannot keep up loses events rather than growing our memory. */
  private static void send(HttpServerResponse r, String text) {
    if (!r.writeQueueFull()) {
      r.write(text);
    }
  }

  private static String frame(JsonObject event) {
    return "event: file\ndata: " + event.encode() + "\n\n";
  }

  /** How many events a new viewer gets (tests). */
  int recentCount() {
    return recent.size();
  }
}
