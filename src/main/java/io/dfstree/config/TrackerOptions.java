package io.dfstree.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Tracker settings, bound by Jackson from the {@code tracker} section of the configuration. The
 * defaults are those of {@code dfstree-defaults.yaml}; every key is documented in {@code
 * conf/tracker.yaml}.
 *
 * @param host address to bind (loopback by default)
 * @param port FastDFS tracker port
 * @param storeLookup 0 round robin over groups, 1 always {@code storeGroup}, 2 most free space
 * @param storeGroup group for storeLookup = 1
 * @param storeServer 0 round robin, 1 first by id, 2 lowest upload priority
 * @param storePath 0 round robin per storage, 2 most free path
 * @param downloadServer 0 round robin among eligible members, 1 source first
 * @param listLayout {@code legacy} (105/612-byte records) or {@code modern} (113/487)
 * @param heartbeatTimeoutMs a storage silent this long turns OFFLINE
 * @param storageSyncFileMaxDelay seconds after which a file is assumed replicated everywhere
 * @param storageSyncFileMaxTime seconds a single file may take to replicate
 * @param maxRequestBytes largest request body the tracker accepts
 * @param allowHosts client IP allow-list (exact addresses or CIDR); empty allows all
 * @param limits what one client may hold on the tracker port (connections, idle and trickle
 *     timeouts)
 * @param httpPort HTTP port (0 = off): redirects downloads to a storage's HTTP port, metrics,
 *     health
 * @param requestBodyTimeoutMs a connection whose started request body makes no progress for this
 *     long is closed
 * @param http the HTTP port's TLS ({@code tracker.http.tls})
 */
public record TrackerOptions(
    String host,
    int port,
    int storeLookup,
    String storeGroup,
    int storeServer,
    int storePath,
    int downloadServer,
    String listLayout,
    long heartbeatTimeoutMs,
    long storageSyncFileMaxDelay,
    long storageSyncFileMaxTime,
    int maxRequestBytes,
    List<String> allowHosts,
    io.dfstree.protocol.ClientLimits limits,
    int httpPort,
    long requestBodyTimeoutMs,
    TrackerHttpOptions http) {

  public TrackerOptions {
    allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
    http = http == null ? new TrackerHttpOptions(null) : http;
  }

  /**
   * The {@code tracker} section (keys not given take their built-in default), bound and checked.
   *
   * @throws IllegalArgumentException naming the key, for an unknown key or a value out of range
   */
  public static TrackerOptions from(JsonObject c) {
    TrackerOptions o = OptionsBinding.bind("tracker", c, TrackerOptions.class);
    o.validate();
    return o;
  }

  public boolean modernLayout() {
    return "modern".equalsIgnoreCase(listLayout);
  }

  void validate() {
    require(storeLookup >= 0 && storeLookup <= 2, "tracker.storeLookup must be 0, 1 or 2");
    require(storeServer >= 0 && storeServer <= 2, "tracker.storeServer must be 0, 1 or 2");
    require(storePath == 0 || storePath == 2, "tracker.storePath must be 0 or 2");
    require(downloadServer == 0 || downloadServer == 1, "tracker.downloadServer must be 0 or 1");
    require(
        "legacy".equalsIgnoreCase(listLayout) || "modern".equalsIgnoreCase(listLayout),
        "tracker.listLayout must be legacy or modern");
    require(port > 0 && port < 65536, "tracker.port out of range");
    require(httpPort >= 0 && httpPort < 65536, "tracker.httpPort out of range");
    require(requestBodyTimeoutMs > 0, "tracker.requestBodyTimeoutMs must be positive");
    http.validate();
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
