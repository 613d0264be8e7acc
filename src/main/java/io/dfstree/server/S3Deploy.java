package io.dfstree.server;

import io.dfstree.config.StorageOptions;
import io.dfstree.s3.S3Options;
import io.dfstree.s3.S3Server;
import io.dfstree.client.eventbus.DfsEventBusClient;
import io.dfstree.s3.StorageServiceBytes;
import io.dfstree.storage.RunningStorage;
import io.dfstree.storage.StorageService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/** Puts S3 beside a role's storage when {@code s3.port} says so. */
public final class S3Deploy {
  /** The all-in-one's S3 port unless configured (MinIO's, so tools' examples carry over). */
  public static final int DEFAULT_PORT = 9000;

  private S3Deploy() {}

  /**
   * Resolves {@code s3.port: -1} in place: the all-in-one gets {@value #DEFAULT_PORT}, or a free
   * port when that one is taken (the banner says which); other roles get 0 (off).
   */
  public static void resolvePort(JsonObject config, String role) {
    JsonObject s3 = config.getJsonObject("s3");
    if (s3 == null || s3.getInteger("port", -1) != -1) {
      return;
    }
    if (!role.equals("all-in-one")) {
      s3.put("port", 0);
      return;
    }
    String host = s3.getString("host", "");
    if (host.isEmpty()) {
      host = config.getJsonObject("storage").getString("host", "127.0.0.1");
    }
    s3.put("port", free(host, DEFAULT_PORT) ? DEFAULT_PORT : anyFreePort(host));
  }

  private static boolean free(String host, int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int anyFreePort(String host) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port for S3 on " + host, e);
    }
  }

  static Future<Void> ifEnabled(Vertx vertx, String role, JsonObject config) {
    if (role.equals("tracker")) {
      return Future.succeededFuture();
    }
    S3Options options = S3Options.from(config.getJsonObject("s3"));
    if (!options.enabled()) {
      return Future.succeededFuture();
    }
    StorageService storage = RunningStorage.of(vertx);
    if (storage == null) {
      return Future.failedFuture("s3.port is set but no storage runs in this process");
    }
    StorageOptions so = storage.options();
    return S3Server.start(
            vertx,
            new StorageServiceBytes(
                storage,
                vertx,
                // in a cluster, objects another group's endpoint stored are read through the bus
                vertx.isClustered() ? DfsEventBusClient.create(vertx) : null),
            options,
            Path.of(so.storePaths().get(0)).resolve("s3"),
            so.host())
        .mapEmpty();
  }
}
