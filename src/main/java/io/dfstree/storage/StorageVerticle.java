package io.dfstree.storage;

import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.dfstree.config.StorageOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage server: prepares its store paths, serves the FastDFS storage protocol on
 * {@code eventLoops} listener instances sharing one port, and publishes a heartbeat on the
 * event bus every {@code heartbeatIntervalMs} (and once at start) for the trackers.
 */
public final class StorageVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StorageVerticle.class);

  private StorageNode node;
  private long beatTimer = -1;

  @Override
  public Future<?> start() {
    StorageOptions options = StorageOptions.from(config());
    node = new StorageNode(vertx, options);
    vertx.eventBus().<JsonObject>consumer(Addresses.HEARTBEAT, msg -> {
      JsonObject hb = msg.body();
      node.peerHosts.put(hb.getInteger("storageId"), hb.getString("host"));
    });
    return vertx.executeBlocking(() -> {
          node.prepare();
          return null;
        })
        .compose(v -> vertx.deployVerticle(() -> new StorageServerVerticle(node),
            new DeploymentOptions().setInstances(Math.max(1, options.eventLoops()))))
        .onSuccess(id -> {
          LOG.info("storage {} of {} listening on {}:{}, store paths {}", options.id(), options.group(),
              options.host(), options.port(), options.storePaths());
          publishHeartbeat(node.heartbeat());
          beatTimer = vertx.setPeriodic(options.heartbeatIntervalMs(), t -> beat());
        });
  }

  private void beat() {
    vertx.executeBlocking(() -> {
      node.refreshSpace();
      return node.heartbeat();
    }, false).onSuccess(this::publishHeartbeat)
        .onFailure(err -> LOG.warn("storage {}: cannot measure free space: {}", node.options.id(), err.toString()));
  }

  private void publishHeartbeat(Heartbeat hb) {
    vertx.eventBus().publish(Addresses.HEARTBEAT, hb.toJson());
  }

  @Override
  public Future<?> stop() {
    if (beatTimer >= 0) {
      vertx.cancelTimer(beatTimer);
    }
    // tell trackers now rather than letting them time us out
    vertx.eventBus().publish(Addresses.STORAGE_LEAVING,
        new JsonObject().put("storageId", node.options.id()).put("group", node.options.group()));
    return Future.succeededFuture();
  }

  /** For tests and the HTTP layer: this storage's shared state. */
  StorageNode node() {
    return node;
  }
}
