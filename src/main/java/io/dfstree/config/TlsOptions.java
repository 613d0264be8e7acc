package io.dfstree.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * HTTPS for an HTTP port, from a {@code tls} section ({@code tracker.http.tls}, {@code storage.http.tls}):
 * a PEM certificate chain and its PEM private key (PKCS#8 or PKCS#1/"RSA PRIVATE KEY"). Both empty =
 * plain HTTP. Both set = the port speaks only HTTPS (and WSS for WebSocket uploads).
 *
 * @param cert path of the PEM certificate (chain: the server's certificate first)
 * @param key  path of the PEM private key of that certificate
 */
public record TlsOptions(String cert, String key) {
  public static final TlsOptions OFF = new TlsOptions("", "");

  /** From the section that holds {@code tls} (null or missing = off); checks both files are readable. */
  public static TlsOptions fromParent(JsonObject parent, String where) {
    JsonObject t = parent == null ? null : parent.getJsonObject("tls");
    if (t == null) {
      return OFF;
    }
    TlsOptions o = new TlsOptions(t.getString("cert", "").trim(), t.getString("key", "").trim());
    TrackerOptions.require(o.cert.isEmpty() == o.key.isEmpty(),
        where + ".tls needs both cert and key (PEM files), or neither for plain HTTP");
    if (o.enabled()) {
      TrackerOptions.require(Files.isReadable(Path.of(o.cert)), where + ".tls.cert: cannot read " + o.cert);
      TrackerOptions.require(Files.isReadable(Path.of(o.key)), where + ".tls.key: cannot read " + o.key);
    }
    return o;
  }

  public boolean enabled() {
    return !cert.isEmpty();
  }

  /** {@code https} or {@code http}, for URLs that point at this port. */
  public String scheme() {
    return enabled() ? "https" : "http";
  }
}
