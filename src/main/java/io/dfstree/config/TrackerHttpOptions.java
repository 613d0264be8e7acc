package io.dfstree.config;

/**
 * The tracker's HTTP port beyond its number ({@code tracker.httpPort}): the {@code tracker.http}
 * section.
 *
 * @param tls HTTPS certificate and key for the console, redirects, metrics and health; off when
 *     empty
 */
public record TrackerHttpOptions(TlsOptions tls) {
  public TrackerHttpOptions {
    tls = tls == null ? TlsOptions.OFF : tls;
  }

  void validate() {
    tls.validate("tracker.http");
  }
}
