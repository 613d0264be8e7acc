package io.dfstree.http;

import io.dfstree.config.HttpOptions;
import io.dfstree.protocol.HostFilter;
import io.dfstree.storage.StorageService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage's HTTP port, as a table of contents: {@link StorageRoutes} (downloads, uploads,
 * metadata, WebSocket upload, metrics, health) on {@code storage.httpPort}, one listener per event
 * loop like the FastDFS port.
 */
public final class StorageHttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StorageHttpVerticle.class);

  private final StorageService storage;
  private final StorageMetrics metrics;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  private StorageHttpVerticle(
      StorageService storage, StorageMetrics metrics, PrometheusMeterRegistry registry) {
    this.storage = storage;
    this.metrics = metrics;
    this.registry = registry;
  }

  /**
   * Registers the storage's meters in {@code registry} and deploys {@code instances} listeners on
   * its HTTP port; nothing when {@code storage.httpPort} is 0.
   */
  public static Future<?> deploy(
      Vertx vertx, StorageService storage, int instances, PrometheusMeterRegistry registry) {
    if (storage.options().httpPort() <= 0) {
      return Future.succeededFuture();
    }
    StorageMetrics metrics = new StorageMetrics(registry, storage);
    storage.events(metrics);
    vertx.setPeriodic(5000, t -> metrics.trackPeers());
    new LatencyPublisher(vertx, registry, storage.options().id())
        .start(storage.options().heartbeatIntervalMs());
    return vertx
        .deployVerticle(
            () -> new StorageHttpVerticle(storage, metrics, registry),
            new DeploymentOptions().setInstances(Math.max(1, instances)))
        .onSuccess(
            id ->
                LOG.info(
                    "storage {} {} on {}:{}",
                    storage.options().id(),
                    storage.options().http().tls().enabled() ? "HTTPS" : "HTTP",
                    storage.options().host(),
                    storage.options().httpPort()));
  }

  @Override
  public Future<?> start() {
    HostFilter allowed = new HostFilter(storage.options().allowHosts());
    HttpOptions http = storage.options().http();
    HttpServerOptions options =
        HttpLimits.apply(new HttpServerOptions())
            .setHost(storage.options().host())
            .setPort(storage.options().httpPort())
            .setReuseAddress(true)
            .setTcpNoDelay(true)
            .setMaxWebSocketFrameSize(http.maxWebSocketFrameBytes())
            .setMaxWebSocketMessageSize(
                http.maxWebSocketFrameBytes()); // frames are handled one by one, never aggregated
    server =
        vertx
            .createHttpServer(Tls.apply(options, http.tls()))
            .connectionHandler(
                conn -> {
                  if (!allowed.allows(conn.remoteAddress().hostAddress())) {
                    conn.close();
                    return;
                  }
                  metrics.httpConnections.incrementAndGet();
                  conn.closeHandler(v -> metrics.httpConnections.decrementAndGet());
                })
            .requestHandler(
                HttpLimits.guard(StorageRoutes.router(vertx, storage, metrics, registry)));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
