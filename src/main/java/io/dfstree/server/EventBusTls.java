package io.dfstree.server;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The clustered event bus over mutual TLS ({@code cluster.tls}): each process presents its PEM
 * certificate and accepts only peers whose certificate its trust file vouches for (the cluster CA,
 * or the one shared certificate). Heartbeats, tracker queries and file events then travel
 * encrypted, and a process without a certificate the members trust can neither send to nor receive
 * from them. Hazelcast's own traffic (membership, the shared maps) is not covered: the open-source
 * edition has no TLS, so keep it on a private network (README, "Threat model").
 */
final class EventBusTls {
  private EventBusTls() {}

  /** {@code eb} with TLS when {@code cluster.tls} names a certificate; unchanged otherwise. */
  static EventBusOptions apply(EventBusOptions eb, JsonObject cluster) {
    JsonObject tls = cluster.getJsonObject("tls");
    if (tls == null) {
      return eb;
    }
    String cert = tls.getString("cert", "").trim();
    String key = tls.getString("key", "").trim();
    String trust = tls.getString("trust", "").trim();
    if (cert.isEmpty() && key.isEmpty() && trust.isEmpty()) {
      return eb;
    }
    require(
        !cert.isEmpty() && !key.isEmpty() && !trust.isEmpty(),
        "cluster.tls needs cert, key and trust (PEM files), or none of them for a plain event bus");
    for (String[] f : new String[][] {{"cert", cert}, {"key", key}, {"trust", trust}}) {
      require(Files.isReadable(Path.of(f[1])), "cluster.tls." + f[0] + ": cannot read " + f[1]);
    }
    return eb.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key))
        .setTrustOptions(new PemTrustOptions().addCertPath(trust))
        .setClientAuth(ClientAuth.REQUIRED);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
