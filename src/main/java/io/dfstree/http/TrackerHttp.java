package io.dfstree.http;

import io.dfstree.config.TrackerOptions;
import io.dfstree.tracker.GroupMap;
import io.dfstree.tracker.Routing;
import io.dfstree.tracker.TrackerAdapter;
import io.dfstree.tracker.TrackerVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's HTTP front end, handed to the tracker by the composition root: on {@code
 * tracker.httpPort} (off when 0) the web console, its charts, the file lookup, metrics and health,
 * then the download redirect. Started on the tracker's context, so every handler runs on the
 * tracker's event loop, where the group map lives.
 */
public final class TrackerHttp implements TrackerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerHttp.class);

  private final PrometheusMeterRegistry registry;
  private TrackerHttpServer http;
  private ConsoleRoutes console;
  private ConsoleCharts charts;
  private FileLookupRoutes files;

  public TrackerHttp(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Future<?> start(TrackerVerticle tracker) {
    TrackerOptions options = tracker.options();
    if (options.httpPort() <= 0) {
      return Future.succeededFuture();
    }
    Vertx vertx = tracker.vertx();
    GroupMap map = tracker.groupMap();
    http =
        new TrackerHttpServer(
            vertx,
            options.host(),
            options.httpPort(),
            new Routing(map, options),
            () ->
                tracker.actualPort() > 0
                    ? Future.succeededFuture("tracker listening on " + tracker.actualPort())
                    : Future.failedFuture("tracker is not listening"),
            options.http().tls(),
            registry);
    // other HTTP features mount before the download redirect, which is matched last
    return http.listen(
            router -> {
              console = new ConsoleRoutes(vertx, map::toJson);
              console.mount(router);
              charts = new ConsoleCharts(vertx);
              charts.mount(router);
              files =
                  new FileLookupRoutes(vertx, map, new Routing(map, options), options.http().tls());
              files.mount(router);
              new S3BrowserRoutes(vertx).mount(router);
            })
        .onSuccess(s -> LOG.info("tracker HTTP on {}:{}", options.host(), s.actualPort()));
  }

  /** The tracker's HTTP server (null when tracker.httpPort is 0). */
  public TrackerHttpServer httpServer() {
    return http;
  }

  @Override
  public Future<?> stop() {
    if (console != null) {
      console.close();
      charts.close();
      files.close();
    }
    return http == null ? Future.succeededFuture() : http.close();
  }
}
