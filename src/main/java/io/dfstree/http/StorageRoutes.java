package io.dfstree.http;

import io.dfstree.config.HttpOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.dfstree.storage.StorageService;
import io.dfstree.storage.Upload;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The storage HTTP API (nginx-module URL form, fastdfs-protocol.md §9.2):
 *
 * <pre>
 *   GET|HEAD /{group}/M00/AA/BB/name.ext[?filename=x][&amp;token=..&amp;ts=..]  download (Range, ETag, 304)
 *   GET      /{group}/M00/AA/BB/name.ext?meta                         metadata as a JSON object
 *   PUT      /{group}/M00/AA/BB/name.ext?meta[&amp;merge=true]            set metadata (JSON object body)
 *   DELETE   /{group}/M00/AA/BB/name.ext                              delete
 *   POST     /{group}/upload?ext=jpg&amp;meta.k=v                         raw body, or multipart/form-data
 *   GET      /{group}/ws-upload                                       WebSocket upload ({@link WebSocketUpload})
 *   GET      /metrics, /health, /ready
 * </pre>
 */
public final class StorageRoutes {
  private final StorageService storage;
  private final StorageMetrics metrics;
  private final HttpOptions http;
  private final ApiKeys keys;

  private StorageRoutes(StorageService storage, StorageMetrics metrics) {
    this.storage = storage;
    this.metrics = metrics;
    this.http = storage.options().http();
    this.keys = new ApiKeys(http.apiKeys());
  }

  public static Router router(
      Vertx vertx,
      StorageService storage,
      StorageMetrics metrics,
      PrometheusMeterRegistry registry) {
    StorageRoutes r = new StorageRoutes(storage, metrics);
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    Health.mount(
        vertx,
        router,
        storage.space().stream().map(StorageService.PathSpace::root).toList(),
        () ->
            storage.active()
                ? Future.succeededFuture("storage " + storage.status())
                : Future.failedFuture("storage is " + storage.status() + ", not ACTIVE"));
    router
        .post("/:group/upload")
        .handler(r::requireKey)
        .handler(new HttpUpload(storage, metrics)::handle);
    router
        .get("/:group/ws-upload")
        .handler(r::requireKey)
        .handler(ctx -> WebSocketUpload.accept(ctx, storage, metrics));
    String file = "/([^/]+)/(.+)";
    // the body handler must come first in vertx-web; it reads at most maxRequestBytes
    router
        .routeWithRegex(HttpMethod.PUT, file)
        .handler(BodyHandler.create(false).setBodyLimit(storage.options().maxRequestBytes()))
        .handler(r::requireKey)
        .handler(r::putMetadata);
    router.routeWithRegex(HttpMethod.DELETE, file).handler(r::requireKey).handler(r::delete);
    router.routeWithRegex(HttpMethod.GET, file).handler(r::get);
    router.routeWithRegex(HttpMethod.HEAD, file).handler(r::get);
    router
        .route()
        .handler(
            ctx ->
                HttpErrors.send(
                    ctx.response(),
                    404,
                    "no such endpoint: "
                        + ctx.request().method()
                        + " "
                        + ctx.request().path()
                        + " (files are /<group>/M00/AA/BB/<name>, uploads POST /<group>/upload)"));
    router.errorHandler(
        500,
        ctx ->
            HttpErrors.send(
                ctx.response(),
                ctx.failure() == null ? new RuntimeException("server error") : ctx.failure()));
    router.errorHandler(
        413, ctx -> HttpErrors.send(ctx.response(), 413, "request body over the limit"));
    return router;
  }

  // ---- access ----------------------------------------------------------------------------------

  private void requireKey(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    switch (keys.check(req.getHeader("Authorization"), req.getHeader("X-Api-Key"))) {
      case OPEN, OK -> ctx.next();
      case MISSING ->
          HttpErrors.send(
              ctx.response().putHeader("WWW-Authenticate", "Bearer"),
              401,
              "this storage requires an API key for writes: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
      case WRONG ->
          HttpErrors.send(ctx.response(), 403, "the API key is not accepted by this storage");
    }
  }

  /** The file a request names, validated before it can name a path; null after answering 400. */
  private FileId fileId(RoutingContext ctx) {
    String path = ctx.request().path();
    int slash = path.indexOf('/', 1);
    try {
      if (slash < 0) {
        throw FdfsException.invalid("expected /<group>/M00/AA/BB/<name>");
      }
      return storage.validate(path.substring(1, slash), path.substring(slash + 1));
    } catch (FdfsException e) {
      HttpErrors.send(ctx.response(), 400, "not a file id of this storage: " + e.getMessage());
      return null;
    }
  }

  // ---- downloads -------------------------------------------------------------------------------

  private void get(RoutingContext ctx) {
    FileId id = fileId(ctx);
    if (id == null) {
      return;
    }
    HttpServerRequest req = ctx.request();
    if (req.method() == HttpMethod.GET && req.params().contains("meta")) {
      storage
          .metadata(id)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  failed(ctx, ar.cause());
                } else {
                  JsonObject o = new JsonObject(new LinkedHashMap<>(ar.result()));
                  ctx.response().putHeader("content-type", "application/json").end(o.encode());
                }
              });
      return;
    }
    if (http.tokensRequired() && !tokenAccepted(ctx, id)) {
      return;
    }
    long started = System.nanoTime();
    storage
        .locate(id)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                storage.countDownload(false, 0);
                failed(ctx, ar.cause());
                return;
              }
              serve(ctx, ar.result(), started);
            });
  }

  private boolean tokenAccepted(RoutingContext ctx, FileId id) {
    HttpServerRequest req = ctx.request();
    DownloadToken.Verdict v =
        DownloadToken.check(
            id.remoteName(),
            http.tokenSecret(),
            http.tokenTtlSeconds(),
            req.getParam("token"),
            req.getParam("ts"),
            System.currentTimeMillis() / 1000);
    String why =
        switch (v) {
          case OK -> null;
          case MISSING -> "this file needs an anti-leech token: add ?token=<md5>&ts=<unix seconds>";
          case MALFORMED -> "ts must be a unix time in seconds (0 = a token that never expires)";
          case BAD -> "the token does not match this file and ts";
          case EXPIRED ->
              "the token expired: ts "
                  + req.getParam("ts")
                  + " is more than "
                  + http.tokenTtlSeconds()
                  + " seconds old; ask for a fresh link";
        };
    if (why != null) {
      metrics.error("http", io.dfstree.protocol.Errno.EACCES);
      HttpErrors.send(ctx.response(), 403, why);
      return false;
    }
    return true;
  }

  private void serve(RoutingContext ctx, StorageService.FileStat st, long started) {
    HttpServerRequest req = ctx.request();
    HttpServerResponse resp = ctx.response();
    String etag = Conditional.etag(st.size(), st.mtimeSeconds(), st.crc32());
    resp.putHeader("ETag", etag)
        .putHeader("Last-Modified", Conditional.httpDate(st.mtimeSeconds()))
        .putHeader("Accept-Ranges", "bytes")
        .putHeader("Content-Type", ContentTypes.of(st.id().remoteName()));
    String filename = req.getParam("filename");
    if (filename != null && !filename.isEmpty()) {
      resp.putHeader("Content-Disposition", Conditional.attachment(filename));
    }
    if (Conditional.notModified(
        req.getHeader("If-None-Match"),
        req.getHeader("If-Modified-Since"),
        etag,
        st.mtimeSeconds())) {
      resp.setStatusCode(304).end();
      return;
    }
    RangeHeader range = RangeHeader.parse(req.getHeader("Range"), st.size());
    long offset = 0;
    long length = st.size();
    switch (range.kind()) {
      case UNSATISFIABLE -> {
        resp.putHeader("Content-Range", range.contentRange(st.size()));
        HttpErrors.send(
            resp,
            416,
            "range " + req.getHeader("Range") + " is outside the file (" + st.size() + " bytes)");
        return;
      }
      case PARTIAL -> {
        offset = range.start();
        length = range.length();
        resp.setStatusCode(206).putHeader("Content-Range", range.contentRange(st.size()));
      }
      case WHOLE -> {}
    }
    if (req.method() == HttpMethod.HEAD) {
      resp.putHeader("Content-Length", Long.toString(length)).end();
      return;
    }
    long n = length;
    resp.sendFile(st.path().toString(), st.fileOffset(offset), length)
        .onComplete(
            ar -> {
              storage.countDownload(ar.succeeded(), n);
              metrics.download("http", ar.succeeded(), n, System.nanoTime() - started);
            });
  }

  // ---- metadata and delete
  // -----------------------------------------------------------------------

  private void putMetadata(RoutingContext ctx) {
    FileId id = fileId(ctx);
    if (id == null) {
      return;
    }
    if (!ctx.request().params().contains("meta")) {
      HttpErrors.send(
          ctx.response(),
          405,
          "PUT is for metadata: PUT " + ctx.request().path() + "?meta with a JSON object");
      return;
    }
    Map<String, String> values = new LinkedHashMap<>();
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("empty body");
      }
      for (Map.Entry<String, Object> e : body) {
        if (!(e.getValue() instanceof String)
            && !(e.getValue() instanceof Number)
            && !(e.getValue() instanceof Boolean)) {
          throw new IllegalArgumentException("value of '" + e.getKey() + "' must be a string");
        }
        values.put(e.getKey(), String.valueOf(e.getValue()));
      }
      checkMetadata(values);
    } catch (RuntimeException e) {
      HttpErrors.send(
          ctx.response(), 400, "metadata must be a JSON object of strings: " + e.getMessage());
      return;
    }
    boolean merge = "true".equalsIgnoreCase(ctx.request().getParam("merge"));
    storage
        .setMetadata(id, values, merge)
        .compose(v -> storage.metadata(id))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                failed(ctx, ar.cause());
              } else {
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(new JsonObject(new LinkedHashMap<>(ar.result())).encode());
              }
            });
  }

  /** Names and values within FastDFS's limits, and free of its separators. */
  static void checkMetadata(Map<String, String> values) {
    values.forEach(
        (k, v) -> {
          if (k.isEmpty()
              || k.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Metadata.MAX_NAME) {
            throw new IllegalArgumentException(
                "metadata name '" + k + "' must be 1.." + Metadata.MAX_NAME + " bytes");
          }
          if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Metadata.MAX_VALUE) {
            throw new IllegalArgumentException(
                "metadata value of '" + k + "' is over " + Metadata.MAX_VALUE + " bytes");
          }
          if ((k + v).indexOf(Metadata.RECORD_SEPARATOR) >= 0
              || (k + v).indexOf(Metadata.FIELD_SEPARATOR) >= 0) {
            throw new IllegalArgumentException("metadata may not contain the bytes 0x01 or 0x02");
          }
        });
  }

  private void delete(RoutingContext ctx) {
    FileId id = fileId(ctx);
    if (id == null) {
      return;
    }
    storage
        .delete(id)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                failed(ctx, ar.cause());
              } else {
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(
                        new JsonObject()
                            .put("fileId", id.group() + "/" + id.remoteName())
                            .put("deleted", true)
                            .encode());
              }
            });
  }

  private void failed(RoutingContext ctx, Throwable err) {
    int errno = err instanceof FdfsException f ? f.errno() : io.dfstree.protocol.Errno.EIO;
    metrics.error("http", errno);
    HttpErrors.send(ctx.response(), err);
  }

  /** The JSON answer for a stored file. */
  static JsonObject stored(Upload.Stored s) {
    return new JsonObject()
        .put("fileId", s.fileId())
        .put("url", "/" + s.fileId())
        .put("size", s.size())
        .put("crc32", s.crc32());
  }
}
