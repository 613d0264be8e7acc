package io.dfstree.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * The storage's HTTP access, from the {@code storage.http} section (the port is {@code
 * storage.httpPort}). Bound with its storage ({@link StorageOptions#from}); defaults in {@code
 * dfstree-defaults.yaml}.
 *
 * @param tokenSecret anti-leech secret shared with whoever signs download URLs
 *     (fastdfs-nginx-module compatible); empty = downloads need no token
 * @param tokenTtlSeconds a token older than this is expired; {@code ts = 0} tokens never expire
 * @param maxUploadBytes largest file one HTTP or WebSocket upload may store (bytes, or "512M",
 *     "2G": {@link ByteSize})
 * @param apiKeys keys accepted for writes (POST, PUT, DELETE, WebSocket upload) as {@code
 *     Authorization: Bearer <key>} or {@code X-Api-Key}; empty = writes are open
 * @param maxWebSocketFrameBytes largest WebSocket frame accepted
 * @param tls HTTPS certificate and key ({@code storage.http.tls}); off when both are empty
 */
public record HttpOptions(
    String tokenSecret,
    long tokenTtlSeconds,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long maxUploadBytes,
    List<String> apiKeys,
    int maxWebSocketFrameBytes,
    TlsOptions tls) {

  public HttpOptions {
    tokenSecret = tokenSecret == null ? "" : tokenSecret;
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    tls = tls == null ? TlsOptions.OFF : tls;
  }

  void validate() {
    TrackerOptions.require(
        tokenSecret.length() <= 128, "storage.http.tokenSecret is at most 128 bytes");
    TrackerOptions.require(tokenTtlSeconds > 0, "storage.http.tokenTtlSeconds must be positive");
    TrackerOptions.require(maxUploadBytes > 0, "storage.http.maxUploadBytes must be positive");
    TrackerOptions.require(
        maxWebSocketFrameBytes >= 1024,
        "storage.http.maxWebSocketFrameBytes must be at least 1024");
    tls.validate("storage.http");
  }

  public boolean tokensRequired() {
    return !tokenSecret.isEmpty();
  }
}
