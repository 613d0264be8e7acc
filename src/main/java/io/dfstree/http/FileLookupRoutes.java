package io.dfstree.http;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.StorageCounters;
import io.dfstree.config.TlsOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.FdfsException;
import io.dfstree.tracker.GroupMap;
import io.dfstree.tracker.Routing;
import io.dfstree.tracker.StorageEntry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;

/**
 * The console's file and storage views, on the tracker's HTTP port:
 *
 * <pre>
 *   GET    /api/file?id=group1/M00/AA/BB/name.ext   what the id says (group, store path, source storage,
 *                                                   creation time, size, CRC32), the members that hold
 *                                                   it, and from one of them its stored size and metadata
 *   DELETE /api/file?id=...                         deletes it through the member that takes its writes
 *                                                   (Authorization / X-Api-Key are passed on)
 *   GET    /api/storages/{id}                       one storage's last heartbeat, in words
 * </pre>
 *
 * Storages are asked over their HTTP port, with the tracker's scheme (TLS on every HTTP port of a
 * cluster or on none); over HTTPS the tracker trusts the certificates in its own {@code tls.cert}
 * file. Handlers run on the tracker's event loop (the group map is confined to it).
 */
public final class FileLookupRoutes {
  static final int TIMEOUT_MS = 10_000;

  private final GroupMap map;
  private final Routing routing;
  private final boolean tls;
  private final Vertx vertx;
  private final HttpClientOptions clientOptions;

  /**
   * Made at the first request, not at start: a Vert.x 5 HTTP client takes an event loop of the
   * round robin that places verticles, and taken while the all-in-one starts it put one of the
   * storage's FastDFS listeners on the tracker's event loop (benchmark/PROFILE.md, "The storage's
   * listeners on the tracker's event loop"). A field: an unreferenced Vert.x client is closed by its
   * Cleaner. Used on the tracker's event loop only.
   */
  private HttpClient client;

  public FileLookupRoutes(Vertx vertx, GroupMap map, Routing routing, TlsOptions tls) {
    this.map = map;
    this.routing = routing;
    this.tls = tls.enabled();
    HttpClientOptions options = new HttpClientOptions().setConnectTimeout(5_000).setIdleTimeout(30);
    if (this.tls) {
      options
          .setSsl(true)
          .setVerifyHost(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.cert()));
    }
    this.vertx = vertx;
    this.clientOptions = options;
  }

  private HttpClient client() {
    if (client == null) {
      client = vertx.createHttpClient(clientOptions);
    }
    return client;
  }

  public void mount(Router router) {
    router.get("/api/file").handler(this::lookup);
    router.delete("/api/file").handler(this::delete);
    router.get("/api/storages/:id").handler(this::storage);
  }

  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  /** What a file id says by itself: no storage asked. */
  static JsonObject describe(FileId id) {
    FileName.Decoded d = id.decoded();
    String base = id.baseName();
    int dot = base.lastIndexOf('.');
    JsonObject o =
        new JsonObject()
            .put("fileId", id.toString())
            .put("group", id.group())
            .put("storePath", String.format("M%02X", id.storePathIndex()))
            .put("directory", String.format("%02X/%02X", id.high(), id.low()))
            .put("name", base)
            .put("ext", dot >= 0 ? base.substring(dot + 1) : "")
            .put("sourceStorageId", d.sourceId())
            .put("created", d.createTime())
            .put(
                "createdIso",
                Instant.ofEpochSecond(Integer.toUnsignedLong(d.createTime())).toString())
            .put("appender", d.appender())
            .put("slave", d.slave())
            .put("trunk", d.trunk());
    if (d.sourceIp() != null && !d.sourceIp().isEmpty()) {
      o.put("sourceIp", d.sourceIp());
    }
    if (d.nameDescribesContent()) {
      o.put("size", d.fileSize()).put("crc32", String.format("%08X", d.crc32Unsigned()));
    } else {
      o.putNull("size").putNull("crc32"); // appender and slave names do not describe their content
    }
    return o;
  }

  private FileId fileId(RoutingContext ctx) {
    String raw = ctx.request().getParam("id", "").trim();
    if (raw.startsWith("/")) {
      raw = raw.substring(1);
    }
    try {
      return FileId.parse(raw);
    } catch (FdfsException e) {
      HttpErrors.send(
          ctx.response(),
          400,
          "not a file id: " + e.getMessage() + " (expected group1/M00/AA/BB/<name>)");
      return null;
    }
  }

  private void lookup(RoutingContext ctx) {
    FileId id = fileId(ctx);
    if (id == null) {
      return;
    }
    JsonObject out = describe(id);
    StorageEntry source = map.storage(out.getInteger("sourceStorageId"));
    out.put("source", source == null ? null : brief(source));
    List<StorageEntry> holders;
    try {
      holders = routing.fetchAll(id.group(), id.remoteName(), System.currentTimeMillis() / 1000);
    } catch (FdfsException e) {
      out.put("holders", new JsonArray()).put("exists", false).put("problem", e.getMessage());
      json(ctx, 200, out);
      return;
    }
    out.put("holders", new JsonArray(holders.stream().map(FileLookupRoutes::brief).toList()));
    out.put("downloadUrl", "/" + id);
    StorageEntry asked =
        holders.stream().filter(h -> h.heartbeat().httpPort() > 0).findFirst().orElse(null);
    if (asked == null) {
      out.putNull("exists")
          .put("problem", "no member holding the file has an HTTP port (storage.httpPort)");
      json(ctx, 200, out);
      return;
    }
    String uri = "/" + id;
    call(asked, HttpMethod.HEAD, uri, MultiMap.caseInsensitiveMultiMap())
        .compose(
            head -> {
              if (head.status() == 404) {
                out.put("exists", false)
                    .put("problem", "storage " + asked.id() + " has no such file");
                return Future.succeededFuture();
              }
              if (head.status() != 200) {
                out.putNull("exists")
                    .put(
                        "problem",
                        "storage " + asked.id() + " answered " + head.status() + " " + head.text());
                return Future.succeededFuture();
              }
              out.put("exists", true)
                  .put(
                      "stored",
                      new JsonObject()
                          .put("storageId", asked.id())
                          .put("size", Long.parseLong(head.headers().get("Content-Length")))
                          .put("lastModified", head.headers().get("Last-Modified"))
                          .put("contentType", head.headers().get("Content-Type")));
              return call(asked, HttpMethod.GET, uri + "?meta", MultiMap.caseInsensitiveMultiMap())
                  .map(
                      meta -> {
                        if (meta.status() == 200) {
                          out.put("metadata", new JsonObject(meta.text()));
                        } else {
                          out.put("metadataProblem", meta.status() + " " + meta.text());
                        }
                        return null;
                      });
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                out.putNull("exists")
                    .put(
                        "problem",
                        "cannot ask storage " + asked.id() + ": " + ar.cause().getMessage());
              }
              json(ctx, 200, out);
            });
  }

  private void delete(RoutingContext ctx) {
    FileId id = fileId(ctx);
    if (id == null) {
      return;
    }
    StorageEntry target;
    try {
      target = routing.update(id.group(), id.remoteName());
    } catch (FdfsException e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    if (target.heartbeat().httpPort() <= 0) {
      HttpErrors.send(
          ctx.response(),
          503,
          target + " takes this file's writes but has no HTTP port (storage.httpPort)");
      return;
    }
    MultiMap auth = MultiMap.caseInsensitiveMultiMap();
    for (String h : List.of("Authorization", "X-Api-Key")) {
      String v = ctx.request().getHeader(h);
      if (v != null) {
        auth.add(h, v);
      }
    }
    call(target, HttpMethod.DELETE, "/" + id, auth)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                HttpErrors.send(
                    ctx.response(),
                    502,
                    "cannot reach storage " + target.id() + ": " + ar.cause().getMessage());
                return;
              }
              Answer a = ar.result();
              String wwwAuth = a.headers().get("WWW-Authenticate");
              if (wwwAuth != null) {
                ctx.response().putHeader("WWW-Authenticate", wwwAuth);
              }
              ctx.response()
                  .setStatusCode(a.status())
                  .putHeader("content-type", "application/json")
                  .end(a.body());
            });
  }

  private void storage(RoutingContext ctx) {
    StorageEntry e;
    try {
      e = map.storage(Integer.parseInt(ctx.pathParam("id")));
    } catch (NumberFormatException bad) {
      e = null;
    }
    if (e == null) {
      HttpErrors.send(
          ctx.response(), 404, "no storage " + ctx.pathParam("id") + " in the group map");
      return;
    }
    json(ctx, 200, details(e));
  }

  static JsonObject details(StorageEntry e) {
    Heartbeat hb = e.heartbeat();
    JsonArray paths = new JsonArray();
    for (Heartbeat.StorePathStat p : hb.storePaths()) {
      paths.add(
          new JsonObject()
              .put("path", String.format("M%02X", p.index()))
              .put("totalBytes", p.totalBytes())
              .put("freeBytes", p.freeBytes())
              .put("reservedBytes", p.reservedBytes())
              .put("readOnly", p.readOnly()));
    }
    long[] c = hb.counters() == null ? new long[StorageCounters.COUNT] : hb.counters();
    JsonObject counters =
        new JsonObject()
            .put("uploads", pair(c, StorageCounters.SUCCESS_UPLOAD, StorageCounters.TOTAL_UPLOAD))
            .put(
                "downloads",
                pair(c, StorageCounters.SUCCESS_DOWNLOAD, StorageCounters.TOTAL_DOWNLOAD))
            .put("deletes", pair(c, StorageCounters.SUCCESS_DELETE, StorageCounters.TOTAL_DELETE))
            .put("appends", pair(c, StorageCounters.SUCCESS_APPEND, StorageCounters.TOTAL_APPEND))
            .put(
                "metadataSets",
                pair(c, StorageCounters.SUCCESS_SET_META, StorageCounters.TOTAL_SET_META))
            .put("uploadBytes", at(c, StorageCounters.SUCCESS_UPLOAD_BYTES))
            .put("downloadBytes", at(c, StorageCounters.SUCCESS_DOWNLOAD_BYTES))
            .put("syncInBytes", at(c, StorageCounters.SUCCESS_SYNC_IN_BYTES))
            .put("syncOutBytes", at(c, StorageCounters.SUCCESS_SYNC_OUT_BYTES));
    return brief(e)
        .put("port", hb.port())
        .put("version", hb.version())
        .put("joinTime", hb.joinTime())
        .put("upTime", hb.upTime())
        .put("lastBeatMs", e.lastBeatMs())
        .put("heartbeatIntervalMs", hb.intervalMs())
        .put("uploadPriority", hb.uploadPriority())
        .put("lastSourceUpdate", hb.lastSourceUpdate())
        .put("lastSyncUpdate", hb.lastSyncUpdate())
        .put(
            "connections",
            hb.connections() == null || hb.connections().length < 2 ? null : hb.connections()[1])
        .put("storePaths", paths)
        .put("counters", counters)
        .put("syncedUntil", new JsonObject(new java.util.TreeMap<String, Object>(e.syncedUntil())));
  }

  private static String pair(long[] c, int ok, int total) {
    return at(c, ok) + "/" + at(c, total);
  }

  private static long at(long[] c, int i) {
    return i < c.length ? c[i] : 0;
  }

  static JsonObject brief(StorageEntry e) {
    return new JsonObject()
        .put("id", e.id())
        .put("group", e.group())
        .put("host", e.host())
        .put("port", e.port())
        .put("httpPort", e.heartbeat().httpPort())
        .put("state", e.status().name());
  }

  private record Answer(int status, MultiMap headers, Buffer body) {
    String text() {
      return body.toString();
    }
  }

  private Future<Answer> call(
      StorageEntry target, HttpMethod method, String uri, MultiMap headers) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(target.host())
            .setPort(target.heartbeat().httpPort())
            .setURI(uri)
            .setSsl(tls)
            .setIdleTimeout(TIMEOUT_MS)
            .setHeaders(headers);
    return client()
        .request(options)
        .compose(
            req ->
                req.send()
                    .compose(
                        res ->
                            res.body().map(b -> new Answer(res.statusCode(), res.headers(), b))));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
