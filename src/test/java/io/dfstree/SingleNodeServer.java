package io.dfstree;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.dfstree.tracker.TrackerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one starter of an embedded all-in-one node (a tracker and one storage on the local event bus,
 * deployed through {@link Launcher} as {@code serve} does) on free loopback ports with a temporary
 * data directory, for the in-JVM tests. Start one per test class; {@link #start()} returns once the
 * tracker sees the storage ACTIVE. Tests that drive the built jar instead use {@code
 * io.dfstree.system.Jar}.
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
    return start(c -> {});
  }

  /** Like {@link #start()}, after {@code customize} has edited the configuration. */
  public static SingleNodeServer start(Consumer<JsonObject> customize) throws Exception {
    Path dir = Files.createTempDirectory("dfstree-it");
    JsonObject config = Config.defaults();
    config.getJsonObject("tracker").put("host", "127.0.0.1").put("port", TestPorts.free());
    config
        .getJsonObject("storage")
        .put("host", "127.0.0.1")
        .put("port", TestPorts.free())
        .put("storePaths", new JsonArray().add(dir.resolve("store0").toString()))
        .put("subdirCount", 16)
        .put("reservedSpace", "1M")
        .put("fsync", false)
        .put("heartbeatIntervalMs", 500);
    customize.accept(config);
    Vertx vertx = Launcher.createVertx(config, false).await(10, TimeUnit.SECONDS);
    SingleNodeServer server = new SingleNodeServer(vertx, dir, config);
    try {
      Launcher.deploy(vertx, "all-in-one", config).await(20, TimeUnit.SECONDS);
      server.awaitActive(Duration.ofSeconds(20));
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
    return server;
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
    return vertx
        .eventBus()
        .<JsonObject>request(TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "groups"))
        .await(5, TimeUnit.SECONDS)
        .body();
  }

  /** The Vert.x instance the node runs on (its event bus reaches the tracker and the storage). */
  public Vertx vertx() {
    return vertx;
  }

  private void awaitActive(Duration timeout) {
    awaitActiveStorages(vertx, 1, timeout);
  }

  /**
   * Waits until the tracker reachable on {@code vertx}'s event bus counts at least {@code count}
   * storages ACTIVE; fails with the tracker's last view. Query failures while the tracker is still
   * starting (or its clustered subscription propagating) are retried.
   */
  public static void awaitActiveStorages(Vertx vertx, int count, Duration timeout) {
    AtomicReference<JsonObject> view = new AtomicReference<>();
    try {
      Awaitility.await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(
              () -> {
                view.set(
                    vertx
                        .eventBus()
                        .<JsonObject>request(
                            TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "groups"))
                        .await(5, TimeUnit.SECONDS)
                        .body());
                return activeStorages(view.get()) >= count;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          count + " storage(s) never became ACTIVE; tracker view: " + view.get(), e);
    }
  }

  private static long activeStorages(JsonObject view) {
    return view.getJsonArray("groups").stream()
        .flatMap(g -> ((JsonObject) g).getJsonArray("storages").stream())
        .filter(s -> "ACTIVE".equals(((JsonObject) s).getString("state")))
        .count();
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } finally {
      TempTrees.delete(dataDir);
    }
  }
}
