package io.dfstree.replication;

import io.dfstree.TestPorts;
import io.dfstree.api.Addresses;
import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.dfstree.server.Roles;
import io.dfstree.storage.StorageVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.csource.fastdfs.ClientGlobal;

/**
 * The one starter of the replication tests: two storages of {@code group1}, A (id {@value #A},
 * store path {@code a}) and B (id {@value #B}, store path {@code b}), on the local event bus of one
 * Vert.x, with write quorum 2, heartbeats every 200 ms and catch-up every 100 ms. {@link #start}
 * returns once each member has published two heartbeats since both were deployed, so each has heard
 * the other: an upload is then replicated before it is acknowledged (not degraded).
 */
final class TwoStorages implements AutoCloseable {
  static final int A = 100001;
  static final int B = 100002;

  final Vertx vertx;
  final Path dir;
  final int portA = TestPorts.free();
  final int portB = TestPorts.free();

  /** A's HTTP port, or 0 when A was started without its HTTP adapter. */
  final int httpA;

  /** B's deployment, for tests that take B away and bring it back. */
  String deployB;

  private final UnaryOperator<JsonObject> tune;
  private final Map<Integer, Integer> beats = new ConcurrentHashMap<>();
  private final Map<Integer, Long> lastBeat = new ConcurrentHashMap<>();

  private TwoStorages(Vertx vertx, Path dir, boolean withHttp, UnaryOperator<JsonObject> tune) {
    this.vertx = vertx;
    this.dir = dir;
    this.httpA = withHttp ? TestPorts.free() : 0;
    this.tune = tune;
  }

  /**
   * Starts A and B. {@code tune} edits each member's configuration (packed store, reliability
   * settings...); {@code withHttp} deploys A through the composition root with its HTTP adapter on
   * {@link #httpA}; a non-null {@code secret} is the group's peer secret.
   */
  static TwoStorages start(
      String name, boolean withHttp, String secret, UnaryOperator<JsonObject> tune)
      throws Exception {
    Path dir = Files.createTempDirectory(name);
    Vertx vertx = Launcher.createVertx(new JsonObject(), false).await();
    TwoStorages group = new TwoStorages(vertx, dir, withHttp, tune);
    try {
      if (secret != null) {
        vertx
            .sharedData()
            .getLocalMap(StorageVerticle.LOCAL_SETTINGS)
            .put(StorageVerticle.CLUSTER_SECRET, secret);
      }
      vertx
          .eventBus()
          .<JsonObject>consumer(
              Addresses.HEARTBEAT,
              m -> {
                int id = m.body().getInteger("storageId");
                group.beats.merge(id, 1, Integer::sum);
                group.lastBeat.put(id, System.currentTimeMillis());
              });
      JsonObject a = group.config(A, group.portA, "a");
      if (withHttp) {
        vertx
            .deployVerticle(
                Roles.storage(Launcher.meterRegistry(vertx)),
                new DeploymentOptions().setConfig(a.put("httpPort", group.httpA)))
            .await();
      } else {
        vertx
            .deployVerticle(StorageVerticle.class.getName(), new DeploymentOptions().setConfig(a))
            .await();
      }
      group.deployB = group.deploy(group.config(B, group.portB, "b"));
      group.awaitHeard(A, B);
    } catch (Exception | Error e) {
      group.close();
      throw e;
    }
    ClientGlobal.g_network_timeout = 20000;
    ClientGlobal.g_connect_timeout = 5000;
    return group;
  }

  /** A member's configuration: the defaults, the replication tests' settings, then {@code tune}. */
  JsonObject config(int id, int port, String path) {
    JsonObject c =
        Config.defaults()
            .getJsonObject("storage")
            .copy()
            .put("id", id)
            .put("port", port)
            .put(
                "packed",
                new JsonObject()
                    .put(
                        "enabled",
                        false)) // packing is the default, but these tests follow replicas as
            // files on disk by name: the one-file layout unless tune packs (Packed*Test)
            .put("storePaths", new JsonArray().add(dir.resolve(path).toString()))
            .put("subdirCount", 4)
            .put("reservedSpace", "1M")
            .put("fsync", false)
            .put("heartbeatIntervalMs", 200)
            .put("catchUpIntervalMs", 100)
            .put("writeQuorum", 2)
            .put("peerTimeoutMs", 1500);
    return tune.apply(c);
  }

  /** Deploys a bare storage verticle with {@code config}; returns the deployment id. */
  String deploy(JsonObject config) {
    return vertx
        .deployVerticle(StorageVerticle.class.getName(), new DeploymentOptions().setConfig(config))
        .await();
  }

  /**
   * B again on its port and data, its configuration edited by {@code change}; waits until A and B
   * hear each other.
   */
  void restartB(UnaryOperator<JsonObject> change) {
    deployB = deploy(change.apply(config(B, portB, "b")));
    awaitHeard(A, B);
  }

  /** The {@code data} directory of member {@code path} ("a", "b"...): store path M00. */
  Path data(String path) {
    return dir.resolve(path).resolve("data");
  }

  /** Where {@code remoteName} ({@code M00/XX/YY/name}) lives on member {@code path}'s disk. */
  Path file(String path, String remoteName) {
    return data(path).resolve(remoteName.substring(4));
  }

  /**
   * The content of packed file {@code remote}'s slot as member {@code path}'s copy of the writer's
   * volume holds it; null while the slot is not there or not written yet (still zeros).
   */
  byte[] slotOn(String path, String remote) throws java.io.IOException {
    io.dfstree.fileid.TrunkId t = io.dfstree.fileid.TrunkId.parse(remote);
    Path vol =
        data(path)
            .resolve("packed")
            .resolve(String.format("%08x-%05d.vol", t.sourceKey(), t.volume()));
    if (!Files.exists(vol) || Files.size(vol) < (long) t.offset() + t.slotLength()) {
      return null;
    }
    java.nio.ByteBuffer content = java.nio.ByteBuffer.allocate(t.fileSize());
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(vol)) {
      ch.read(content, t.offset() + 32);
    }
    byte[] got = content.array();
    return java.util.Arrays.equals(got, new byte[got.length]) ? null : got;
  }

  /**
   * Waits until each of {@code ids} has published two heartbeats from now on: every member, on the
   * same event bus, has then handled at least one of them.
   */
  void awaitHeard(int... ids) {
    Map<Integer, Integer> from = Map.copyOf(beats);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (int id : ids) {
                if (beats.getOrDefault(id, 0) - from.getOrDefault(id, 0) < 2) {
                  return false;
                }
              }
              return true;
            });
  }

  /**
   * Waits until member {@code id} (taken away) has been silent for longer than the peer timeout:
   * the other members no longer count it as alive ({@code GroupPeers.alive}), so uploads go on
   * without it. The margin covers a heartbeat still in flight when it was undeployed.
   */
  void awaitGone(int id) {
    long timeout = config(id, 0, "x").getLong("peerTimeoutMs") + 100;
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> System.currentTimeMillis() - lastBeat.getOrDefault(id, 0L) > timeout);
  }

  @Override
  public void close() {
    try {
      vertx.close().await();
    } finally {
      io.dfstree.TempTrees.delete(dir);
    }
  }
}
