package io.dfstree.client;

import java.time.Duration;
import java.util.List;

/**
 * How a {@link FdfsClient} reaches the cluster.
 *
 * @param trackers tracker addresses; calls start at the next one in turn and fail over on
 *     connection problems
 * @param connectTimeout limit for establishing a TCP connection
 * @param networkTimeout limit for any single read (a stalled server fails instead of hanging)
 */
public record FdfsClientOptions(
    List<ServerAddress> trackers, Duration connectTimeout, Duration networkTimeout) {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

  public FdfsClientOptions {
    if (trackers.isEmpty()) {
      throw new IllegalArgumentException("at least one tracker address is needed");
    }
    trackers = List.copyOf(trackers);
  }

  /** Options with the default timeouts. */
  public static FdfsClientOptions of(List<ServerAddress> trackers) {
    return new FdfsClientOptions(trackers, DEFAULT_CONNECT_TIMEOUT, DEFAULT_NETWORK_TIMEOUT);
  }
}
