package io.dfstree.client;

/**
 * A storage server chosen by the tracker. {@code storePathIndex} is the store path the tracker
 * picked for an upload; it is {@link #ANY_PATH} for fetch and update answers, which carry none.
 */
public record StorageAddress(String group, String host, int port, int storePathIndex) {
  /** "Let the storage choose", as sent in the upload request's path byte (0xFF). */
  public static final int ANY_PATH = -1;

  /** {@code host:port}, the form users type and logs print. */
  public String hostPort() {
    return host + ":" + port;
  }
}
