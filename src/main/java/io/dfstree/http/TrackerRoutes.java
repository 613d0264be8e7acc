package io.dfstree.http;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.dfstree.tracker.Routing;
import io.dfstree.tracker.StorageEntry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.Supplier;

/**
 * The tracker's HTTP routes: {@code GET|HEAD /{group}/M00/..} answers 302 to the HTTP port of a
 * storage that may serve the file (the same choice as query 102), keeping the query string (token,
 * ts, filename); plus {@code /metrics}, {@code /health}, {@code /ready}. Handlers run on the
 * tracker's event loop (the group map is confined to it).
 */
public final class TrackerRoutes {
  private TrackerRoutes() {}

  /** Metrics and health on {@code router}. */
  public static void mountOperations(
      Vertx vertx,
      Router router,
      Supplier<Future<String>> ready,
      PrometheusMeterRegistry registry) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    Health.mount(vertx, router, java.util.List.of(), ready);
  }

  /** The download redirect, as the last route of {@code router} (mount other routes before it). */
  public static void mountRedirect(Router router, Routing routing) {
    router.getWithRegex("/([^/]+)/(M[^/]{2}/.+)").handler(ctx -> redirect(ctx, routing));
    router
        .routeWithRegex(io.vertx.core.http.HttpMethod.HEAD, "/([^/]+)/(M[^/]{2}/.+)")
        .handler(ctx -> redirect(ctx, routing));
  }

  static void redirect(RoutingContext ctx, Routing routing) {
    HttpServerRequest req = ctx.request();
    String path = req.path();
    int slash = path.indexOf('/', 1);
    String group = path.substring(1, slash);
    String remote = path.substring(slash + 1);
    StorageEntry target;
    try {
      FileId.parseRemote(group, remote);
      target = routing.fetchOne(group, remote, System.currentTimeMillis() / 1000);
    } catch (FdfsException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    int httpPort = target.heartbeat().httpPort();
    if (httpPort <= 0) {
      HttpErrors.send(
          ctx.response(), 503, target + " holds the file but has no HTTP port (storage.httpPort)");
      return;
    }
    String query = req.query();
    // storages speak the tracker's scheme: TLS is configured on every HTTP port of a cluster or on
    // none
    String location =
        (req.isSSL() ? "https" : "http")
            + "://"
            + hostForUrl(target.host())
            + ":"
            + httpPort
            + path
            + (query == null || query.isEmpty() ? "" : "?" + query);
    ctx.response()
        .setStatusCode(302)
        .putHeader("Location", location)
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  private static String hostForUrl(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
