package io.dfstree.client;

/**
 * A {@code host:port} the client connects to (trackers on the command line, storages from the
 * tracker).
 */
public record ServerAddress(String host, int port) {
  /** FastDFS's default tracker port. */
  public static final int DEFAULT_TRACKER_PORT = 22122;

  /**
   * Parses {@code host:port}, {@code host} (default port), or {@code [v6addr]:port}.
   *
   * @throws IllegalArgumentException when the text is not an address
   */
  public static ServerAddress parse(String text, int defaultPort) {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty address");
    }
    String host;
    String port = null;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed [ in address: " + text);
      }
      host = t.substring(1, close);
      if (t.length() > close + 1) {
        if (t.charAt(close + 1) != ':') {
          throw new IllegalArgumentException("expected :port after ] in " + text);
        }
        port = t.substring(close + 2);
      }
    } else {
      int colon = t.lastIndexOf(':');
      if (colon >= 0 && t.indexOf(':') == colon) {
        host = t.substring(0, colon);
        port = t.substring(colon + 1);
      } else {
        host = t; // no colon, or a bare IPv6 address
      }
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port is not a number in " + text);
      }
    }
    if (host.isEmpty() || p <= 0 || p > 65535) {
      throw new IllegalArgumentException("not a host:port: " + text);
    }
    return new ServerAddress(host, p);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
