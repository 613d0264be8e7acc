package io.dfstree.storage;

import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.dfstree.config.StorageOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage server, as a table of contents:
 *
 * <ul>
 *   <li>prepares its store paths and opens its binlog (off the event loop);
 *   <li>serves the FastDFS storage protocol on {@code eventLoops} listeners sharing one port;
 *   <li>keeps its copy of the group complete through the {@link Replication} the composition root
 *       handed it (catch-up, write quorum, read-your-write);
 *   <li>publishes its own heartbeat every {@code heartbeatIntervalMs}, and says goodbye on stop;
 *   <li>starts the front ends the composition root handed it ({@link StorageAdapter}: HTTP).
 * </ul>
 */
public final class StorageVerticle extends VerticleBase {
  /** Process-local settings the launcher hands the storage outside its strictly bound section. */
  public static final String LOCAL_SETTINGS = "dfstree.local";

  /** {@code cluster.secret}, under {@link #LOCAL_SETTINGS}. */
  public static final String CLUSTER_SECRET = "clusterSecret";

  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);

  /** How long a stop waits for disk tasks already submitted (an upload's last fsync, a copy). */
  private static final long DRAIN_MS = 10_000;

  private StorageNode node;
  private long beatTimer = -1;
  private final List<StorageAdapter> adapters;
  private final Replication.Factory replication;

  /**
   * The storage protocol alone, with no front ends, and the replication the class path provides
   * ({@code META-INF/services/io.dfstree.storage.Replication$Factory}): for tests and tools that
   * deploy it by class name. The composition root passes both explicitly instead.
   */
  public StorageVerticle() {
    this(
        List.of(),
        java.util.ServiceLoader.load(Replication.Factory.class)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no " + Replication.Factory.class.getName() + " on the class path")));
  }

  /**
   * With the front ends and the replication the composition root ({@code server.Roles}) gives it;
   * the front ends are started in order.
   */
  public StorageVerticle(List<StorageAdapter> adapters, Replication.Factory replication) {
    this.adapters = List.copyOf(adapters);
    this.replication = replication;
  }

  @Override
  public Future<?> start() {
    StorageOptions options = StorageOptions.from(config());
    node = new StorageNode(vertx, options, replication);
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.HEARTBEAT,
            msg -> {
              Heartbeat hb = Heartbeat.fromJson(msg.body());
              node.peerHosts.put(hb.storageId(), hb.host());
              BinlogTrim trim = node.binlogTrim;
              if (trim != null
                  && hb.group().equals(options.group())
                  && hb.storageId() != options.id()) {
                trim.heard(
                    hb.storageId(), System.currentTimeMillis()); // a member: it may need our binlog
              }
            });
    node.limits = options.limits();
    node.clientLog =
        new io.dfstree.protocol.RateLimitedLog(
            LoggerFactory.getLogger(StorageConnection.class), node.limits.logIntervalMs());
    return PeerAuth.load(
            vertx,
            (String)
                vertx.sharedData().getLocalMap(LOCAL_SETTINGS).getOrDefault(CLUSTER_SECRET, ""),
            options.id())
        .onSuccess(auth -> node.peerAuth = auth)
        .compose(
            auth ->
                vertx.executeBlocking(
                    () -> {
                      node.prepare();
                      java.nio.file.Path binlogFile =
                          node.paths.all().get(0).data.resolve("sync").resolve("binlog");
                      Binlog binlog =
                          new Binlog(
                              binlogFile,
                              options.reliability().binlogSegmentBytes(),
                              options.fsync()); // with fsync, zeros written ahead of the lines
                      node.files.binlog(binlog);
                      node.binlogTrim =
                          new BinlogTrim(
                              node,
                              binlog,
                              BinlogTrim.loadReaders(
                                  binlog,
                                  binlogFile,
                                  options.reliability().binlogForgetMemberMillis()));
                      if (node.packed != null) {
                        node.packed
                            .recoverLines(); // lines of packed slots a crash took (they are synced
                        // after the slot)
                      }
                      node.files.tombstones(
                          TombstoneStore.open(
                              node.paths.all().get(0).data.resolve("sync").resolve("tombstones"),
                              options.reliability().tombstoneRetentionSeconds(),
                              options.fsync(),
                              StoredFiles.now(),
                              binlog));
                      if (node.packed != null) {
                        node.packed.recoverDeletes(); // marks of deletes a crash took
                      }
                      node.files.redoDeletes(); // plain files a crash brought back; the trash
                      node.replication.load();
                      return null;
                    }))
        .compose(
            v -> {
              if (io.dfstree.protocol.SameLoopListener.available(vertx)) {
                // each listener binds its own SO_REUSEPORT socket: fail here, as one bind would,
                // when the port is taken, rather than share it with another storage of ours
                try {
                  io.dfstree.protocol.SameLoopListener.requireFree(
                      options.host(), options.port());
                } catch (java.io.IOException e) {
                  return Future.failedFuture(e);
                }
              }
              return vertx.deployVerticle(
                  () -> new StorageServerVerticle(node),
                  new DeploymentOptions().setInstances(Math.max(1, options.eventLoops())));
            })
        .onSuccess(
            id -> {
              node.onStatusChange =
                  () -> vertx.runOnContext(x -> publishHeartbeat(node.heartbeat()));
              node.files.onSpaceFreed =
                  () -> node.onStatusChange.run(); // trackers route uploads here again now
              // alone in a JVM there is nobody to wait for; in a cluster, listen for peers first
              long discovery =
                  vertx.isClustered() ? Math.max(2000, options.heartbeatIntervalMs() * 3) : 0;
              node.replication.start(discovery);
              node.binlogTrim.start(vertx);
              node.scrubber = new Scrubber(vertx, context, node);
              node.scrubber.start(discovery + options.heartbeatIntervalMs());
              LOG.info(
                  "storage {} of {} listening on {}:{}, store paths {}, fsync {}, write quorum {}",
                  options.id(),
                  options.group(),
                  options.host(),
                  options.port(),
                  options.storePaths(),
                  options.fsync(),
                  options.writeQuorum());
              publishHeartbeat(node.heartbeat());
              beatTimer = vertx.setPeriodic(options.heartbeatIntervalMs(), t -> beat());
            })
        .compose(
            id -> {
              StorageService service = new StorageService(vertx, node);
              RunningStorage.register(vertx, service); // for S3, deployed beside it by the Launcher
              Future<?> started = Future.succeededFuture();
              for (StorageAdapter a : adapters) {
                started = started.compose(x -> a.start(vertx, service));
              }
              return started;
            });
  }

  private void beat() {
    vertx
        .executeBlocking(
            () -> {
              node.refreshSpace();
              return node.heartbeat();
            },
            false)
        .onSuccess(this::publishHeartbeat)
        .onFailure(
            err ->
                LOG.warn(
                    "storage {}: cannot measure free space: {}",
                    node.options.id(),
                    err.toString()));
  }

  private void publishHeartbeat(Heartbeat hb) {
    vertx.eventBus().publish(Addresses.HEARTBEAT, hb.toJson());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(beatTimer);
    Future<Void> replicationStopped = node.replication.stop();
    if (node.binlogTrim != null) {
      node.binlogTrim.stop(vertx);
    }
    if (node.scrubber != null) {
      node.scrubber.stop();
    }
    node.fileEvents.flush();
    // tell trackers and peers now rather than letting them time us out
    vertx
        .eventBus()
        .publish(
            Addresses.STORAGE_LEAVING,
            new JsonObject()
                .put("storageId", node.options.id())
                .put("group", node.options.group()));
    return replicationStopped.transform(
        x ->
            vertx.executeBlocking(
                () -> {
                  // no change may be placed once the binlog is closed: refuse new disk tasks and
                  // let those submitted end (each writes its binlog line in the same task)
                  int unfinished = node.disk.drain(DRAIN_MS);
                  if (unfinished > 0) {
                    LOG.warn(
                        "storage {}: {} disk tasks still running {} ms after stop; closing anyway",
                        node.options.id(),
                        unfinished,
                        DRAIN_MS);
                  }
                  if (node.packed != null) {
                    node.packed.close(); // first: its last batch writes binlog lines
                  }
                  Binlog log = node.files.binlog();
                  if (log != null) {
                    log.force();
                    log.close();
                  }
                  if (node.files.tombstones() != null) {
                    node.files.tombstones().close();
                  }
                  return null;
                }));
  }

  /** For tests and the HTTP layer: this storage's shared state. */
  StorageNode node() {
    return node;
  }
}
