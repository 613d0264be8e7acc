package io.dfstree.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one HTTP client may hold: a connection that moves no bytes either way for {@link
 * #idleTimeoutMs()} is closed (a chunked body that never ends, a WebSocket upload that stops short
 * of its declared size), and request headers over {@link #MAX_HEADER_BYTES} are answered 431.
 * Vert.x would answer an oversized header itself, but it stops reading at its limit and closes with
 * the rest unread, so the kernel resets the connection and the client never sees the status; here
 * the parser reads up to {@link #READ_HEADER_BYTES} and the 431 is ours.
 */
public final class HttpLimits {
  /** Request line and headers we serve. */
  public static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Request line and headers read before giving up (beyond this, Vert.x's own refusal). */
  static final int READ_HEADER_BYTES = 256 * 1024;

  /** Default idle timeout; the JVM property {@code dfstree.http.idleTimeoutMs} overrides it. */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  private HttpLimits() {}

  public static long idleTimeoutMs() {
    return Long.getLong("dfstree.http.idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS);
  }

  /** The limits on a server's options. */
  public static HttpServerOptions apply(HttpServerOptions options) {
    return options
        .setMaxHeaderSize(READ_HEADER_BYTES)
        .setIdleTimeout((int) Math.max(1, idleTimeoutMs()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** {@code next}, behind the header size check. */
  public static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
    return req -> {
      long size = headerBytes(req);
      if (size > MAX_HEADER_BYTES) {
        req.response()
            .setStatusCode(431)
            .putHeader("Connection", "close")
            .putHeader("Content-Type", "text/plain")
            .end(
                "request headers of "
                    + size
                    + " bytes are over the limit of "
                    + MAX_HEADER_BYTES
                    + "\n")
            .onComplete(v -> req.connection().close());
        return;
      }
      next.handle(req);
    };
  }

  /** The size of the request line and headers as sent (name: value CRLF). */
  static long headerBytes(HttpServerRequest req) {
    long n = req.method().name().length() + 1 + req.uri().length() + 11;
    for (Map.Entry<String, String> h : req.headers()) {
      n += h.getKey().length() + 2 + h.getValue().length() + 2;
    }
    return n;
  }
}
