package io.dfstree.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The storage's HTTP access, from the {@code storage.http} section (the port is {@code storage.httpPort}).
 *
 * @param tokenSecret       anti-leech secret shared with whoever signs download URLs
 *                          (fastdfs-nginx-module compatible); empty = downloads need no token
 * @param tokenTtlSeconds   a token older than this is expired; {@code ts = 0} tokens never expire
 * @param maxUploadBytes    largest file one HTTP or WebSocket upload may store (bytes, or "512M", "2G")
 * @param apiKeys           keys accepted for writes (POST, PUT, DELETE, WebSocket upload) as
 *                          {@code Authorization: Bearer <key>} or {@code X-Api-Key}; empty = writes are open
 * @param maxWebSocketFrameBytes largest WebSocket frame accepted
 * @param tls               HTTPS certificate and key ({@code storage.http.tls}); off when both are empty
 */
public record HttpOptions(String tokenSecret, long tokenTtlSeconds, long maxUploadBytes, List<String> apiKeys,
                          int maxWebSocketFrameBytes, TlsOptions tls) {

  public static HttpOptions from(JsonObject c) {
    JsonObject h = c == null ? new JsonObject() : c;
    HttpOptions o = new HttpOptions(h.getString("tokenSecret", ""), h.getLong("tokenTtlSeconds", 900L),
        Config.parseSize(String.valueOf(h.getValue("maxUploadBytes", "10G"))),
        TrackerOptions.strings(h.getJsonArray("apiKeys")), h.getInteger("maxWebSocketFrameBytes", 256 * 1024),
        TlsOptions.fromParent(h, "storage.http"));
    TrackerOptions.require(o.tokenSecret.length() <= 128, "storage.http.tokenSecret is at most 128 bytes");
    TrackerOptions.require(o.tokenTtlSeconds > 0, "storage.http.tokenTtlSeconds must be positive");
    TrackerOptions.require(o.maxUploadBytes > 0, "storage.http.maxUploadBytes must be positive");
    TrackerOptions.require(o.maxWebSocketFrameBytes >= 1024, "storage.http.maxWebSocketFrameBytes must be at least 1024");
    return o;
  }

  public boolean tokensRequired() {
    return !tokenSecret.isEmpty();
  }
}
