package io.dfstree.http;

import io.dfstree.config.TlsOptions;
import io.dfstree.tracker.Routing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The tracker's HTTP port. Built and started by the tracker verticle on its own context, so every
 * handler runs on the tracker's event loop. Other features (the web console) add their routes
 * through {@link #router()} or the {@code extraRoutes} hook before {@link #listen()}: they are
 * matched before the download redirect, which is mounted last.
 */
public final class TrackerHttpServer {
  private final Vertx vertx;
  private final String host;
  private final int port;
  private final Router router;
  private final Routing routing;
  private final TlsOptions tls;
  private HttpServer server;

  /**
   * With HTTPS when {@code tls} names a certificate and key; {@code /metrics} scrapes {@code
   * registry}.
   */
  public TrackerHttpServer(
      Vertx vertx,
      String host,
      int port,
      Routing routing,
      Supplier<Future<String>> ready,
      TlsOptions tls,
      PrometheusMeterRegistry registry) {
    this.tls = tls;
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.routing = routing;
    this.router = Router.router(vertx);
    TrackerRoutes.mountOperations(vertx, router, ready, registry);
  }

  /** The router, to mount more routes on before {@link #listen()}. */
  public Router router() {
    return router;
  }

  /** Mounts {@code extraRoutes}, then the redirect, then listens. */
  public Future<HttpServer> listen(Consumer<Router> extraRoutes) {
    extraRoutes.accept(router);
    TrackerRoutes.mountRedirect(router, routing);
    router
        .route()
        .handler(
            ctx ->
                HttpErrors.send(
                    ctx.response(),
                    404,
                    "no such endpoint: "
                        + ctx.request().path()
                        + " (downloads are /<group>/M00/AA/BB/<name>)"));
    server =
        vertx
            .createHttpServer(
                Tls.apply(
                    HttpLimits.apply(new HttpServerOptions())
                        .setHost(host)
                        .setPort(port)
                        .setReuseAddress(true),
                    tls))
            .requestHandler(HttpLimits.guard(router));
    return server.listen();
  }

  public Future<HttpServer> listen() {
    return listen(r -> {});
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
