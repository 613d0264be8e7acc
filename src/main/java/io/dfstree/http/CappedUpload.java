package io.dfstree.http;

import io.dfstree.storage.Upload;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * An {@link Upload} that refuses the byte past {@code max} (HTTP 413 / WebSocket 1008 upstream).
 */
final class CappedUpload implements WriteStream<Buffer> {
  /** The body went over the limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long max) {
      super(
          "the upload is over the limit of " + max + " bytes (storage.http.maxUploadBytes)",
          null,
          false,
          false);
    }
  }

  private final Upload upload;
  private final long max;
  private final BodyPace pace;

  CappedUpload(Upload upload, long max, BodyPace pace) {
    this.upload = upload;
    this.max = max;
    this.pace = pace;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (upload.received() + data.length() > max) {
      return Future.failedFuture(new TooLarge(max));
    }
    pace.received(data.length());
    return upload.write(data);
  }

  @Override
  public boolean writeQueueFull() {
    boolean full = upload.writeQueueFull();
    if (full) {
      pace.pausedByUs(true); // the pipe pauses the body now: not the client's slowness
    }
    return full;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    upload.drainHandler(
        handler == null
            ? null
            : v -> {
              pace.pausedByUs(false);
              handler.handle(v);
            });
    return this;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    upload.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture(); // the caller completes the upload (naming is not ending)
  }

  /** The real cause behind a pipe failure (pipes wrap write failures). */
  static Throwable cause(Throwable err) {
    Throwable e = err;
    while (e != null
        && e.getCause() != null
        && e.getClass().getSimpleName().equals("WriteException")) {
      e = e.getCause();
    }
    return e;
  }
}
