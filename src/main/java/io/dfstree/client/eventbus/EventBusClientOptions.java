package io.dfstree.client.eventbus;

import io.dfstree.api.Addresses;
import java.time.Duration;

/**
 * Settings of a {@link DfsEventBusClient}.
 *
 * @param trackerAddress event-bus address of the trackers' queries
 * @param group group to upload into; null lets the tracker choose (its storeLookup policy)
 * @param requestTimeout limit for a tracker query on the event bus
 * @param connectTimeout limit for opening a TCP connection to a storage
 * @param idleTimeout a storage connection with no traffic for this long fails (stalled server)
 */
public record EventBusClientOptions(
    String trackerAddress,
    String group,
    Duration requestTimeout,
    Duration connectTimeout,
    Duration idleTimeout) {

  public static EventBusClientOptions defaults() {
    return new EventBusClientOptions(
        Addresses.TRACKER_QUERY,
        null,
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30));
  }

  public EventBusClientOptions withGroup(String group) {
    return new EventBusClientOptions(
        trackerAddress, group, requestTimeout, connectTimeout, idleTimeout);
  }

  public EventBusClientOptions withRequestTimeout(Duration timeout) {
    return new EventBusClientOptions(trackerAddress, group, timeout, connectTimeout, idleTimeout);
  }

  public EventBusClientOptions withIdleTimeout(Duration timeout) {
    return new EventBusClientOptions(
        trackerAddress, group, requestTimeout, connectTimeout, timeout);
  }
}
