package io.dfstree.s3;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3 on a storage, as a table of contents: opens the namespace store (off the event loop), resolves
 * the credentials, sweeps the trash now and every minute, and serves {@link S3Api} on {@code
 * eventLoops} listeners sharing the port.
 */
public final class S3Server {
  private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
  private static final Map<Vertx, Endpoint> RUNNING = new WeakHashMap<>();

  /** What a client needs to know: where, and which key to sign with. */
  public record Endpoint(
      String host,
      int port,
      String accessKey,
      String secretKey,
      String region,
      String namespace,
      NamespaceStore names,
      String scheme) {
    public String url() {
      return scheme + "://" + host + ":" + port;
    }
  }

  private S3Server() {}

  /** The endpoint S3 serves in this Vert.x, once {@link #start} has completed; null when off. */
  public static Endpoint running(Vertx vertx) {
    synchronized (RUNNING) {
      return RUNNING.get(vertx);
    }
  }

  /**
   * Starts S3 in front of {@code bytes}. {@code defaultDataDir} is used when {@code s3.dataDir} is
   * empty; {@code defaultHost} when {@code s3.host} is.
   */
  public static Future<Endpoint> start(
      Vertx vertx, ObjectBytes bytes, S3Options options, Path defaultDataDir, String defaultHost) {
    Path dataDir = options.dataDir().isEmpty() ? defaultDataDir : Path.of(options.dataDir());
    String host = options.host().isEmpty() ? defaultHost : options.host();
    return vertx
        .executeBlocking(
            () -> {
              S3Credentials.Pair pair = S3Credentials.resolve(options, dataDir);
              NamespaceStore names =
                  options.namespace().equals("postgresql")
                      ? JdbcNamespaceStore.postgresql(
                          vertx,
                          options.postgresUrl(),
                          options.postgresUser(),
                          options.postgresPassword(),
                          options.postgresConnections())
                      : JdbcNamespaceStore.sqlite(vertx, dataDir.resolve("namespace.db"));
              return new Object[] {pair, names};
            })
        .compose(
            o -> {
              S3Credentials.Pair pair = (S3Credentials.Pair) o[0];
              NamespaceStore names = (NamespaceStore) o[1];
              S3Context ctx = new S3Context(vertx, names, bytes, options);
              Map<String, String> secrets = Map.of(pair.accessKey(), pair.secretKey());
              S3Api api = new S3Api(ctx, secrets);
              return vertx
                  .deployVerticle(
                      () -> new Listener(api, host, options.port(), options.tls()),
                      new DeploymentOptions().setInstances(Math.max(1, options.eventLoops())))
                  .map(
                      id -> {
                        long timer =
                            vertx.setPeriodic(
                                1000,
                                60_000,
                                t ->
                                    ctx.sweep()
                                        .onSuccess(
                                            n -> {
                                              if (n > 0) {
                                                LOG.info(
                                                    "s3: deleted {} freed files left in the trash",
                                                    n);
                                              }
                                            }));
                        Endpoint ep =
                            new Endpoint(
                                host,
                                options.port(),
                                pair.accessKey(),
                                pair.secretKey(),
                                options.region(),
                                names.describe(),
                                names,
                                options.tls().scheme());
                        S3ConsoleService console = new S3ConsoleService(ctx, secrets, ep);
                        var consumer =
                            vertx
                                .eventBus()
                                .<io.vertx.core.json.JsonObject>consumer(
                                    io.dfstree.api.Addresses.S3_CONSOLE, console::handle);
                        vertx.deployVerticle(new Closer(names, timer, consumer));
                        synchronized (RUNNING) {
                          RUNNING.put(vertx, ep);
                        }
                        LOG.info(
                            "S3 on {}, namespace {}, access key {}",
                            ep.url(),
                            ep.namespace(),
                            ep.accessKey());
                        return ep;
                      })
                  .onFailure(err -> names.close());
            });
  }

  /** One listener per event loop on the shared port. */
  private static final class Listener extends VerticleBase {
    private final S3Api api;
    private final String host;
    private final int port;
    private final io.dfstree.config.TlsOptions tls;
    private HttpServer server;

    Listener(S3Api api, String host, int port, io.dfstree.config.TlsOptions tls) {
      this.api = api;
      this.host = host;
      this.port = port;
      this.tls = tls;
    }

    @Override
    public Future<?> start() {
      server =
          vertx
              .createHttpServer(
                  tls.applyTo(
                      new HttpServerOptions()
                          .setHost(host)
                          .setPort(port)
                          .setReuseAddress(true)
                          .setTcpNoDelay(true)
                          .setMaxInitialLineLength(16 * 1024)
                          .setMaxHeaderSize(64 * 1024)
                          // body chunks of up to 64 KiB instead of Netty's 8 KiB: an eighth of the
                          // per-chunk work (queue,
                          // digests, pipe, file write) for every MiB PUT
                          .setMaxChunkSize(64 * 1024)
                          // S3 is HTTP/1.1: an h2c upgrade offered with a request body
                          // (java.net.http does) would reset the connection
                          .setHttp2ClearTextEnabled(false)))
              .requestHandler(api);
      return server.listen();
    }

    @Override
    public Future<?> stop() {
      return server == null ? Future.succeededFuture() : server.close();
    }
  }

  /** Closes the namespace store when Vert.x closes. */
  private static final class Closer extends VerticleBase {
    private final NamespaceStore names;
    private final long timer;
    private final io.vertx.core.eventbus.MessageConsumer<?> console;

    Closer(NamespaceStore names, long timer, io.vertx.core.eventbus.MessageConsumer<?> console) {
      this.names = names;
      this.timer = timer;
      this.console = console;
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(timer);
      console.unregister();
      return vertx.executeBlocking(
          () -> {
            names.close();
            return null;
          });
    }
  }
}
