package io.dfstree.protocol;

import io.vertx.core.json.JsonObject;

/**
 * What one client may hold on a protocol port (storage or tracker), from the role's {@code limits}
 * section (documented in conf/*.yaml):
 *
 * @param maxConnections connections served at once; the next one is answered EBUSY and closed
 * @param idleTimeoutMs a connection with no request in progress is closed after this long
 * @param rateWindowMs the interval over which a client sending a request is measured
 * @param minBytesPerWindow a client in the middle of a request that sends fewer bytes than this in
 *     one whole window (while we are not the ones holding it back) is closed: a 1 byte/s trickle
 *     trips it, not only a full stop
 * @param logIntervalMs client mistakes are logged once per kind per this interval, with a count
 */
public record ClientLimits(
    int maxConnections,
    long idleTimeoutMs,
    long rateWindowMs,
    long minBytesPerWindow,
    long logIntervalMs) {
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 900_000;
  public static final long DEFAULT_RATE_WINDOW_MS = 10_000;
  public static final long DEFAULT_MIN_BYTES_PER_WINDOW = 1024;
  public static final long DEFAULT_LOG_INTERVAL_MS = 10_000;

  public static final ClientLimits DEFAULTS =
      new ClientLimits(
          DEFAULT_MAX_CONNECTIONS,
          DEFAULT_IDLE_TIMEOUT_MS,
          DEFAULT_RATE_WINDOW_MS,
          DEFAULT_MIN_BYTES_PER_WINDOW,
          DEFAULT_LOG_INTERVAL_MS);

  public ClientLimits {
    if (maxConnections < 1
        || idleTimeoutMs < 1
        || rateWindowMs < 1
        || minBytesPerWindow < 0
        || logIntervalMs < 0) {
      throw new IllegalArgumentException(
          "limits: maxConnections, idleTimeoutMs and rateWindowMs must be positive");
    }
  }

  /** From a role's {@code limits} object; missing keys keep their defaults. */
  public static ClientLimits from(JsonObject limits) {
    JsonObject l = limits == null ? new JsonObject() : limits;
    return new ClientLimits(
        l.getInteger("maxConnections", DEFAULT_MAX_CONNECTIONS),
        l.getLong("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS),
        l.getLong("rateWindowMs", DEFAULT_RATE_WINDOW_MS),
        l.getLong("minBytesPerWindow", DEFAULT_MIN_BYTES_PER_WINDOW),
        l.getLong("logIntervalMs", DEFAULT_LOG_INTERVAL_MS));
  }
}
