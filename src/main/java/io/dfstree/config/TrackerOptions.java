package io.dfstree.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Tracker settings, built from the {@code tracker} section of the configuration.
 *
 * @param host                   address to bind (loopback by default)
 * @param port                   FastDFS tracker port
 * @param storeLookup            0 round robin over groups, 1 always {@code storeGroup}, 2 most free space
 * @param storeGroup             group for storeLookup = 1
 * @param storeServer            0 round robin, 1 first by id, 2 lowest upload priority
 * @param storePath              0 round robin per storage, 2 most free path
 * @param downloadServer         0 round robin among eligible members, 1 source first
 * @param listLayout             {@code legacy} (105/612-byte records) or {@code modern} (113/487)
 * @param heartbeatTimeoutMs     a storage silent this long turns OFFLINE
 * @param storageSyncFileMaxDelay seconds after which a file is assumed replicated everywhere
 * @param storageSyncFileMaxTime  seconds a single file may take to replicate
 * @param maxRequestBytes        largest request body the tracker accepts
 * @param allowHosts             client IP allow-list (exact addresses or CIDR); empty allows all
 * @param httpPort               HTTP port (0 = off): redirects downloads to a storage's HTTP port, metrics, health
 */
public record TrackerOptions(String host, int port, int storeLookup, String storeGroup, int storeServer,
                             int storePath, int downloadServer, String listLayout, long heartbeatTimeoutMs,
                             long storageSyncFileMaxDelay, long storageSyncFileMaxTime, int maxRequestBytes,
                             List<String> allowHosts, int httpPort) {

  /** Without HTTP (httpPort 0). */
  public TrackerOptions(String host, int port, int storeLookup, String storeGroup, int storeServer,
                        int storePath, int downloadServer, String listLayout, long heartbeatTimeoutMs,
                        long storageSyncFileMaxDelay, long storageSyncFileMaxTime, int maxRequestBytes,
                        List<String> allowHosts) {
    this(host, port, storeLookup, storeGroup, storeServer, storePath, downloadServer, listLayout, heartbeatTimeoutMs,
        storageSyncFileMaxDelay, storageSyncFileMaxTime, maxRequestBytes, allowHosts, 0);
  }

  public static TrackerOptions from(JsonObject c) {
    TrackerOptions o = new TrackerOptions(c.getString("host"), c.getInteger("port"), c.getInteger("storeLookup"),
        c.getString("storeGroup"), c.getInteger("storeServer"), c.getInteger("storePath"),
        c.getInteger("downloadServer"), c.getString("listLayout"), c.getLong("heartbeatTimeoutMs"),
        c.getLong("storageSyncFileMaxDelay"), c.getLong("storageSyncFileMaxTime"), c.getInteger("maxRequestBytes"),
        strings(c.getJsonArray("allowHosts")), c.getInteger("httpPort", 0));
    o.validate();
    tls(c); // checked here so a bad certificate path is one clear line before anything starts
    return o;
  }

  /** HTTPS for the tracker's HTTP port (console, redirects, metrics), from {@code tracker.http.tls}. */
  public static TlsOptions tls(JsonObject trackerSection) {
    return TlsOptions.fromParent(trackerSection == null ? null : trackerSection.getJsonObject("http"), "tracker.http");
  }

  public boolean modernLayout() {
    return "modern".equalsIgnoreCase(listLayout);
  }

  void validate() {
    require(storeLookup >= 0 && storeLookup <= 2, "tracker.storeLookup must be 0, 1 or 2");
    require(storeServer >= 0 && storeServer <= 2, "tracker.storeServer must be 0, 1 or 2");
    require(storePath == 0 || storePath == 2, "tracker.storePath must be 0 or 2");
    require(downloadServer == 0 || downloadServer == 1, "tracker.downloadServer must be 0 or 1");
    require("legacy".equalsIgnoreCase(listLayout) || "modern".equalsIgnoreCase(listLayout),
        "tracker.listLayout must be legacy or modern");
    require(port > 0 && port < 65536, "tracker.port out of range");
    require(httpPort >= 0 && httpPort < 65536, "tracker.httpPort out of range");
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  static List<String> strings(JsonArray a) {
    return a == null ? List.of() : a.stream().map(String::valueOf).toList();
  }
}
