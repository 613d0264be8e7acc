package io.dfstree.http;

import io.dfstree.config.HttpOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.StorageService;
import io.dfstree.storage.Upload;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.streams.Pipe;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /{group}/upload}: a raw body ({@code ?ext=jpg}, Content-Length or chunked) or
 * multipart/form-data with any number of file parts (extension from each part's filename). {@code
 * meta.<name>=<value>} query parameters become every file's metadata. Bodies stream into the
 * storage with back-pressure ({@code request.pipe()} pauses the request before anything
 * asynchronous happens); over {@code storage.http.maxUploadBytes} is 413 and stores nothing.
 */
final class HttpUpload {
  /**
   * Bytes of an over-limit body read and dropped so the client can read our 413; beyond it we
   * close.
   */
  static final long DRAIN_LIMIT = 16L * 1024 * 1024;

  private final StorageService storage;
  private final StorageMetrics metrics;
  private final HttpOptions http;

  HttpUpload(StorageService storage, StorageMetrics metrics) {
    this.storage = storage;
    this.metrics = metrics;
    this.http = storage.options().http();
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String group = ctx.pathParam("group");
    if (!storage.group().equals(group)) {
      refuse(req, 400, "this storage holds group " + storage.group() + ", not " + group);
      return;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    req.params()
        .forEach(
            (k, v) -> {
              if (k.startsWith("meta.")) {
                meta.put(k.substring(5), v);
              }
            });
    try {
      StorageRoutes.checkMetadata(meta);
    } catch (IllegalArgumentException e) {
      refuse(req, 400, e.getMessage());
      return;
    }
    String cl = req.getHeader("Content-Length");
    // HTTP/2 (h2c) bodies carry neither header: their end is a frame flag
    boolean chunked =
        "chunked".equalsIgnoreCase(req.getHeader("Transfer-Encoding"))
            || req.version() == io.vertx.core.http.HttpVersion.HTTP_2;
    long declared = -1;
    if (cl != null) {
      try {
        declared = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        refuse(req, 400, "Content-Length is not a number");
        return;
      }
      if (declared > http.maxUploadBytes()) {
        refuse(
            req,
            413,
            "the body of "
                + declared
                + " bytes is over the limit of "
                + http.maxUploadBytes()
                + " bytes (storage.http.maxUploadBytes); nothing was stored");
        return;
      }
    } else if (!chunked) {
      refuse(req, 411, "send Content-Length or Transfer-Encoding: chunked");
      return;
    }
    String type = req.getHeader("Content-Type");
    if (type != null && type.toLowerCase().startsWith("multipart/form-data")) {
      multipart(ctx, meta);
    } else {
      raw(ctx, declared, req.getParam("ext", ""), meta);
    }
  }

  private void raw(RoutingContext ctx, long declared, String ext, Map<String, String> meta) {
    HttpServerRequest req = ctx.request();
    Upload up;
    try {
      up = storage.newUpload(declared, ext);
    } catch (FdfsException e) {
      refuse(req, HttpErrors.status(e), e.getMessage());
      return;
    }
    Pipe<Buffer> pipe = req.pipe(); // pauses the request now: open() is asynchronous
    long started = System.nanoTime();
    if (req.headers().contains("Expect", "100-continue", true)) {
      ctx.response().writeContinue();
    }
    BodyPace pace = pace(ctx);
    pace.pausedByUs(true); // until the upload is open
    up.open()
        .compose(
            v -> {
              pace.pausedByUs(false);
              return pipe.endOnComplete(false)
                  .to(new CappedUpload(up, http.maxUploadBytes(), pace));
            })
        .onComplete(ar -> pace.done())
        .compose(v -> up.complete())
        .compose(stored -> withMetadata(stored, meta))
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                metrics.upload("http", true, ar.result().size(), System.nanoTime() - started);
                storage.announceCreated(ar.result());
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(StorageRoutes.stored(ar.result()).encode());
              } else {
                pipe.close();
                up.abort();
                metrics.upload("http", false, up.received(), System.nanoTime() - started);
                failUpload(req, CappedUpload.cause(ar.cause()));
              }
            });
  }

  private void multipart(RoutingContext ctx, Map<String, String> meta) {
    HttpServerRequest req = ctx.request();
    List<Future<Upload.Stored>> parts = new ArrayList<>();
    long started = System.nanoTime();
    BodyPace pace = pace(ctx);
    req.setExpectMultipart(true);
    req.uploadHandler(
        part -> {
          Upload up;
          try {
            up = storage.newUpload(-1, extensionOf(part.filename()));
          } catch (FdfsException e) {
            parts.add(Future.failedFuture(e));
            drop(part);
            return;
          }
          Pipe<Buffer> pipe = part.pipe();
          parts.add(
              pipe.endOnComplete(false)
                  .to(new CappedUpload(up, http.maxUploadBytes(), pace))
                  .compose(v -> up.complete())
                  .compose(stored -> withMetadata(stored, meta))
                  .onFailure(
                      err -> {
                        up.abort();
                        drop(part);
                      }));
        });
    req.exceptionHandler(err -> {}); // parts fail through their pipes; the response is moot
    req.endHandler(
        v ->
            Future.join(parts)
                .onComplete(
                    ar -> {
                      pace.done();
                      List<Upload.Stored> stored = new ArrayList<>();
                      Throwable failure = null;
                      for (Future<Upload.Stored> f : parts) {
                        if (f.succeeded()) {
                          stored.add(f.result());
                        } else if (failure == null) {
                          failure = CappedUpload.cause(f.cause());
                        }
                      }
                      if (parts.isEmpty()) {
                        failure =
                            FdfsException.invalid(
                                "the form has no file part (use <input type=file> parts)");
                      }
                      if (failure != null) {
                        // all or nothing: files of the same request already stored are removed
                        stored.forEach(
                            s -> storage.delete(storage.validate(s.group(), s.remoteName())));
                        metrics.upload("http", false, 0, System.nanoTime() - started);
                        failUpload(req, failure);
                        return;
                      }
                      JsonArray out = new JsonArray();
                      for (Upload.Stored s : stored) {
                        metrics.upload("http", true, s.size(), System.nanoTime() - started);
                        storage.announceCreated(s);
                        out.add(StorageRoutes.stored(s));
                      }
                      req.response()
                          .putHeader("content-type", "application/json")
                          .end(out.encode());
                    }));
  }

  /** The body's minimum rate; a trickle is answered 408 and the connection closed. */
  private BodyPace pace(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    BodyPace pace =
        new BodyPace(
            ctx.vertx(),
            storage.options().limits(),
            "http",
            reason -> {
              if (!req.response().ended()) {
                req.response()
                    .setStatusCode(408)
                    .putHeader("Connection", "close")
                    .putHeader("Content-Type", "text/plain")
                    .end("the request body is too slow: " + reason + " (storage.limits)\n")
                    .onComplete(x -> req.connection().close());
              } else {
                req.connection().close();
              }
            });
    req.connection().closeHandler(v -> pace.done());
    return pace;
  }

  private Future<Upload.Stored> withMetadata(Upload.Stored stored, Map<String, String> meta) {
    if (meta.isEmpty()) {
      return Future.succeededFuture(stored);
    }
    FileId id = storage.validate(stored.group(), stored.remoteName());
    return storage.initialMetadata(id, meta).map(stored);
  }

  private void failUpload(HttpServerRequest req, Throwable err) {
    if (err instanceof CappedUpload.TooLarge) {
      refuse(req, 413, err.getMessage() + "; nothing was stored");
    } else {
      metrics.error("http", err instanceof FdfsException f ? f.errno() : Errno.EIO);
      refuse(
          req,
          HttpErrors.status(err),
          err instanceof FdfsException ? err.getMessage() : "upload failed: " + err);
    }
  }

  /**
   * Answers before (or without) reading the whole body: the rest is read and dropped up to {@link
   * #DRAIN_LIMIT} so the client sees the answer, then the connection is closed.
   */
  private void refuse(HttpServerRequest req, int status, String message) {
    if (req.response().ended()) {
      return;
    }
    req.response().putHeader("Connection", "close");
    HttpErrors.send(req.response(), status, message);
    if (req.isEnded()) {
      return;
    }
    long[] dropped = {0};
    req.handler(
        b -> {
          dropped[0] += b.length();
          if (dropped[0] > DRAIN_LIMIT) {
            req.connection().close();
          }
        });
    req.exceptionHandler(e -> {});
    req.resume();
  }

  private static void drop(HttpServerFileUpload part) {
    part.handler(b -> {});
    part.exceptionHandler(e -> {});
    part.resume();
  }

  /**
   * The extension of a client's file name, when it is one FastDFS can keep ([A-Za-z0-9_-], at most
   * 6).
   */
  static String extensionOf(String filename) {
    if (filename == null) {
      return "";
    }
    int dot = filename.lastIndexOf('.');
    if (dot < 0 || dot == filename.length() - 1) {
      return "";
    }
    String ext = filename.substring(dot + 1);
    if (ext.length() > 6) {
      return "";
    }
    for (char c : ext.toCharArray()) {
      if (!FileId.isNameChar(c) || c == '.') {
        return "";
      }
    }
    return ext;
  }
}
