package io.dfstree.it;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.dfstree.tracker.TrackerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The embedded all-in-one node (a tracker and one storage on the local event bus) on free
 * loopback ports with a temporary data directory, for integration tests. Start one per test
 * class; {@link #start()} returns once the tracker sees the storage ACTIVE.
 */
public final class SingleNodeServer implements AutoCloseable {
  public static final String GROUP = "group1";
  public static final String STORAGE_ID = "100001";

  private final Vertx vertx;
  private final Path dataDir;
  private final JsonObject config;

  private SingleNodeServer(Vertx vertx, Path dataDir, JsonObject config) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.config = config;
  }

  /** The defaults with test-friendly storage settings. */
  public static SingleNodeServer start() throws Exception {
    return start(c -> { });
  }

  /** Like {@link #start()}, after {@code customize} has edited the configuration. */
  public static SingleNodeServer start(Consumer<JsonObject> customize) throws Exception {
    Path dir = Files.createTempDirectory("dfstree-it");
    JsonObject config = Config.defaults();
    config.getJsonObject("tracker").put("host", "127.0.0.1").put("port", freePort());
    config.getJsonObject("storage").put("host", "127.0.0.1").put("port", freePort())
        .put("storePaths", new JsonArray().add(dir.resolve("store0").toString()))
        .put("subdirCount", 16).put("reservedSpace", "1M").put("fsync", false)
        .put("heartbeatIntervalMs", 500);
    customize.accept(config);
    Vertx vertx = Launcher.createVertx(config, false).await(10, TimeUnit.SECONDS);
    SingleNodeServer server = new SingleNodeServer(vertx, dir, config);
    try {
      Launcher.deploy(vertx, "all-in-one", config).await(20, TimeUnit.SECONDS);
      server.awaitActive(20_000);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The node's Vert.x (its event bus carries the file events). */
  public Vertx vertx() {
    return vertx;
  }

  public int trackerPort() {
    return config.getJsonObject("tracker").getInteger("port");
  }

  public int storagePort() {
    return config.getJsonObject("storage").getInteger("port");
  }

  public String trackerAddress() {
    return "127.0.0.1:" + trackerPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  public JsonObject config() {
    return config;
  }

  /** The tracker's view (groups, members, state) as its monitor JSON. */
  public JsonObject trackerView() throws Exception {
    return vertx.eventBus().<JsonObject>request(TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "groups"))
        .await(5, TimeUnit.SECONDS).body();
  }

  private void awaitActive(long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    JsonObject view = null;
    while (System.currentTimeMillis() < deadline) {
      view = trackerView();
      for (Object g : view.getJsonArray("groups")) {
        for (Object s : ((JsonObject) g).getJsonArray("storages")) {
          if ("ACTIVE".equals(((JsonObject) s).getString("state"))) {
            return;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("storage never became ACTIVE; tracker view: " + view);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } finally {
      try (Stream<Path> walk = Files.walk(dataDir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
