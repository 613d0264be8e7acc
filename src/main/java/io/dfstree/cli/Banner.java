package io.dfstree.cli;

import io.dfstree.config.StorageOptions;
import io.dfstree.config.TlsOptions;
import io.dfstree.config.TrackerOptions;
import io.vertx.core.json.JsonObject;

/**
 * What a server prints once it is up: its FastDFS endpoints, the URLs of its HTTP ports (the web
 * console, storage HTTP), and a first thing to try. Built from the configuration alone, so it is
 * unit-tested without starting anything.
 */
final class Banner {
  private Banner() {}

  static String text(String role, JsonObject config) {
    return text(role, config, null);
  }

  /**
   * With the S3 endpoint when this process serves one (its key pair is known only once it runs).
   */
  static String text(String role, JsonObject config, io.dfstree.s3.S3Server.Endpoint s3) {
    StringBuilder sb = new StringBuilder("DistributedFSTree " + role + " started");
    boolean hasTracker = !role.equals("storage");
    boolean hasStorage = !role.equals("tracker");
    String tracker = null;
    String console = null;
    String storageHttp = null;
    StorageOptions s = hasStorage ? StorageOptions.from(config.getJsonObject("storage")) : null;
    if (hasTracker) {
      JsonObject section = config.getJsonObject("tracker");
      TrackerOptions t = TrackerOptions.from(section);
      tracker = t.host() + ":" + t.port();
      sb.append("\n  tracker  ").append(tracker).append("  (FastDFS protocol)");
      if (t.httpPort() > 0) {
        console = url(t.http().tls(), t.host(), t.httpPort()) + "/console/";
      }
    }
    if (hasStorage) {
      sb.append("\n  storage  ")
          .append(s.host())
          .append(':')
          .append(s.port())
          .append("  group ")
          .append(s.group())
          .append(", id ")
          .append(s.id())
          .append(", data in ")
          .append(String.join(", ", s.storePaths()));
      if (s.httpPort() > 0) {
        storageHttp = url(s.http().tls(), s.host(), s.httpPort());
      }
    }
    if (console != null) {
      sb.append("\n  console  ")
          .append(console)
          .append("  (web console: charts, file lookup, upload)");
    }
    if (storageHttp != null) {
      sb.append("\n  http     ")
          .append(storageHttp)
          .append("/")
          .append(s.group())
          .append("/  (storage HTTP: GET M00/.. downloads, POST upload)");
    }
    if (s3 != null) {
      sb.append("\n  s3       ")
          .append(s3.url())
          .append("  access key ")
          .append(s3.accessKey())
          .append("  secret ")
          .append(s3.secretKey())
          .append("\n           namespace ")
          .append(s3.namespace());
    }
    if (tracker != null) {
      sb.append("\n\nTry it (in another terminal):\n  echo hello > /tmp/hello.txt\n")
          .append("  java -jar target/dfstree.jar upload /tmp/hello.txt --tracker ")
          .append(tracker);
      if (storageHttp != null) {
        sb.append("\n  curl")
            .append(storageHttp.startsWith("https") ? " -k" : "")
            .append(" --data-binary @/tmp/hello.txt '")
            .append(storageHttp)
            .append('/')
            .append(s.group())
            .append("/upload?ext=txt'");
      }
      sb.append("\n  java -jar target/dfstree.jar monitor --tracker ").append(tracker);
      if (s3 != null) {
        sb.append("\n  export AWS_ACCESS_KEY_ID=")
            .append(s3.accessKey())
            .append(" AWS_SECRET_ACCESS_KEY=")
            .append(s3.secretKey())
            .append(" AWS_DEFAULT_REGION=")
            .append(s3.region())
            .append("\n  aws --endpoint-url ")
            .append(s3.url())
            .append(" s3 mb s3://demo")
            .append("\n  aws --endpoint-url ")
            .append(s3.url())
            .append(" s3 cp /tmp/hello.txt s3://demo/");
      }
      if (console != null) {
        sb.append("\n  open ").append(console).append(" in a browser");
      }
      sb.append("\nStop with Ctrl-C.");
    }
    return sb.toString();
  }

  /** A URL a local user can open: a wildcard bind address is reachable as 127.0.0.1. */
  static String url(TlsOptions tls, String host, int port) {
    String h = host.equals("0.0.0.0") || host.equals("::") || host.isBlank() ? "127.0.0.1" : host;
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return tls.scheme() + "://" + h + ":" + port;
  }
}
