package io.dfstree.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * HTTPS for an HTTP port, from a {@code tls} section ({@code tracker.http.tls}, {@code
 * storage.http.tls}): a PEM certificate chain and its PEM private key (PKCS#8 or PKCS#1/"RSA
 * PRIVATE KEY"). Both empty = plain HTTP. Both set = the port speaks only HTTPS (and WSS for
 * WebSocket uploads).
 *
 * @param cert path of the PEM certificate (chain: the server's certificate first)
 * @param key path of the PEM private key of that certificate
 */
public record TlsOptions(String cert, String key) {
  public static final TlsOptions OFF = new TlsOptions("", "");

  public TlsOptions {
    cert = cert == null ? "" : cert.trim();
    key = key == null ? "" : key.trim();
  }

  /**
   * From a hand-bound {@code tls} section (null = off), checked; {@code where} names its parent
   * key.
   */
  public static TlsOptions from(io.vertx.core.json.JsonObject tls, String where) {
    if (tls == null) {
      return OFF;
    }
    TlsOptions o = new TlsOptions(tls.getString("cert", ""), tls.getString("key", ""));
    o.validate(where);
    return o;
  }

  /** Both or neither, and both readable: one clear line before anything starts. */
  void validate(String where) {
    TrackerOptions.require(
        cert.isEmpty() == key.isEmpty(),
        where + ".tls needs both cert and key (PEM files), or neither for plain HTTP");
    if (enabled()) {
      TrackerOptions.require(
          Files.isReadable(Path.of(cert)), where + ".tls.cert: cannot read " + cert);
      TrackerOptions.require(
          Files.isReadable(Path.of(key)), where + ".tls.key: cannot read " + key);
    }
  }

  public boolean enabled() {
    return !cert.isEmpty();
  }

  /**
   * {@code options} with TLS on when enabled (every HTTP adapter: storage, tracker, S3); unchanged
   * otherwise.
   */
  public io.vertx.core.http.HttpServerOptions applyTo(
      io.vertx.core.http.HttpServerOptions options) {
    if (!enabled()) {
      return options;
    }
    return options
        .setSsl(true)
        .setKeyCertOptions(
            new io.vertx.core.net.PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
  }

  /** {@code https} or {@code http}, for URLs that point at this port. */
  public String scheme() {
    return enabled() ? "https" : "http";
  }
}
