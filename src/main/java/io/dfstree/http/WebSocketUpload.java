package io.dfstree.http;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.StorageService;
import io.dfstree.storage.Upload;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /{group}/ws-upload} upgraded to a WebSocket, one file per socket:
 *
 * <ol>
 *   <li>client: one text message {@code {"size": <bytes>, "ext": "jpg", "meta": {"k": "v"}}};
 *   <li>client: exactly {@code size} bytes as binary frames (any split);
 *   <li>server: one text message {@code {"fileId", "url", "size", "crc32"}}, then close 1000.
 * </ol>
 *
 * Frames are handled one at a time (never aggregated into messages) and the socket is paused while
 * the disk or the quorum peers catch up. Errors close the socket: 1003 bad start message or text
 * where bytes were expected, 1008 over the size limit or more bytes than declared, 1011 server
 * error. A socket that closes before the last byte leaves nothing stored.
 */
final class WebSocketUpload {
  private enum State {
    START,
    OPENING,
    DATA,
    FINISHING,
    DONE
  }

  private final io.vertx.core.Vertx vertx;
  private final ServerWebSocket ws;
  private final StorageService storage;
  private final StorageMetrics metrics;
  private final long started = System.nanoTime();
  private State state = State.START;
  private Upload upload;
  private long size;
  private long received;

  /** The body's minimum rate, once the upload is open. */
  private BodyPace pace;

  private Map<String, String> meta = Map.of();

  private WebSocketUpload(
      io.vertx.core.Vertx vertx,
      ServerWebSocket ws,
      StorageService storage,
      StorageMetrics metrics) {
    this.vertx = vertx;
    this.ws = ws;
    this.storage = storage;
    this.metrics = metrics;
  }

  static void accept(RoutingContext ctx, StorageService storage, StorageMetrics metrics) {
    String group = ctx.pathParam("group");
    if (!storage.group().equals(group)) {
      HttpErrors.send(
          ctx.response(), 400, "this storage holds group " + storage.group() + ", not " + group);
      return;
    }
    ctx.request()
        .toWebSocket()
        .onSuccess(ws -> new WebSocketUpload(ctx.vertx(), ws, storage, metrics).start());
  }

  private void start() {
    ws.frameHandler(this::onFrame);
    ws.closeHandler(v -> onClosed());
    ws.exceptionHandler(e -> {}); // the close handler cleans up
  }

  private void onFrame(WebSocketFrame f) {
    if (!f.isText()
        && !f.isBinary()
        && !f.isContinuation()) { // ping, pong, close: Vert.x answers them
      return;
    }
    switch (state) {
      case START -> onStart(f);
      case DATA -> onData(f);
      case OPENING, FINISHING, DONE -> close(1008, "unexpected frame after " + size + " bytes");
    }
  }

  private void onStart(WebSocketFrame f) {
    if (!f.isText() || !f.isFinal()) {
      close(1003, "first message must be one text frame {size, ext, meta}");
      return;
    }
    String ext;
    try {
      JsonObject start = new JsonObject(f.textData());
      Number n = start.getNumber("size");
      if (n == null || n.longValue() < 0) {
        throw new IllegalArgumentException("size (bytes, >= 0) is required");
      }
      size = n.longValue();
      ext = start.getString("ext", "");
      Map<String, String> m = new LinkedHashMap<>();
      JsonObject mj = start.getJsonObject("meta", new JsonObject());
      mj.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
      StorageRoutes.checkMetadata(m);
      meta = m;
    } catch (RuntimeException e) {
      close(1003, "bad start message: " + e.getMessage());
      return;
    }
    long max = storage.options().http().maxUploadBytes();
    if (size > max) {
      close(1008, "file of " + size + " bytes is over the limit of " + max);
      return;
    }
    try {
      upload = storage.newUpload(size, ext);
    } catch (FdfsException e) {
      close(e.errno() == Errno.EINVAL ? 1003 : 1011, e.getMessage());
      return;
    }
    state = State.OPENING;
    ws.pause();
    upload
        .open()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                close(1011, "cannot start the upload: " + ar.cause().getMessage());
                return;
              }
              state = State.DATA;
              if (size == 0) {
                finish();
              } else {
                pace =
                    new BodyPace(
                        vertx,
                        storage.options().limits(),
                        "ws",
                        reason -> close(1008, "too slow: " + reason));
              }
              ws.resume();
            });
  }

  private void onData(WebSocketFrame f) {
    if (f.isText()) {
      close(1003, "binary frames expected after the start message");
      return;
    }
    var data = f.binaryData();
    received += data.length();
    pace.received(data.length());
    if (received > size) {
      close(1008, "more bytes than the declared size " + size);
      return;
    }
    upload.write(data);
    if (received == size) {
      finish();
    } else if (upload.writeQueueFull()) {
      ws.pause();
      pace.pausedByUs(true);
      upload.drainHandler(
          v -> {
            pace.pausedByUs(false);
            ws.resume();
          });
    }
  }

  private void finish() {
    state = State.FINISHING;
    if (pace != null) {
      pace.done();
    }
    upload
        .complete()
        .compose(
            stored ->
                meta.isEmpty()
                    ? Future.succeededFuture(stored)
                    : storage
                        .initialMetadata(
                            FileId.parseRemote(stored.group(), stored.remoteName()), meta)
                        .map(stored))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                metrics.upload("ws", false, received, System.nanoTime() - started);
                close(1011, "upload failed: " + ar.cause().getMessage());
                return;
              }
              state = State.DONE;
              metrics.upload("ws", true, size, System.nanoTime() - started);
              storage.announceCreated(ar.result());
              ws.writeTextMessage(StorageRoutes.stored(ar.result()).encode())
                  .onComplete(x -> ws.close((short) 1000, "stored"));
            });
  }

  private void onClosed() {
    if (pace != null) {
      pace.done();
    }
    if (state != State.DONE && upload != null) {
      upload.abort(); // no-op once complete() has started
      if (state != State.FINISHING) {
        metrics.upload("ws", false, received, System.nanoTime() - started);
      }
    }
    state = State.DONE;
  }

  private void close(int code, String reason) {
    if (state == State.DONE) {
      return;
    }
    if (upload != null) {
      upload.abort();
    }
    state = State.DONE;
    metrics.error("ws", code == 1011 ? Errno.EIO : Errno.EINVAL);
    ws.close((short) code, truncate(reason));
  }

  /** A close reason is at most 123 bytes of UTF-8. */
  private static String truncate(String reason) {
    byte[] b = reason.getBytes(StandardCharsets.UTF_8);
    if (b.length <= 123) {
      return reason;
    }
    return new String(b, 0, 120, StandardCharsets.UTF_8) + "...";
  }
}
