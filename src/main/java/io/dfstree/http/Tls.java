package io.dfstree.http;

import io.dfstree.config.TlsOptions;
import io.vertx.core.http.HttpServerOptions;

/** HTTPS on an HTTP port when a PEM certificate and key are configured ({@link TlsOptions}). */
public final class Tls {
  private Tls() {}

  /** {@code options} with TLS on when {@code tls} is enabled; unchanged otherwise. */
  public static HttpServerOptions apply(HttpServerOptions options, TlsOptions tls) {
    return tls == null ? options : tls.applyTo(options);
  }
}
